from __future__ import annotations

from typing import Any

from django import forms

from emailfeed.imap import set_password
from emailfeed.models import FeedSettings
from prospects.models import LeadSource


class FeedSettingsForm(forms.ModelForm):
    imap_password = forms.CharField(
        label="IMAP password",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted. Leave blank to keep the one stored.",
    )

    class Meta:
        model = FeedSettings
        fields = [
            "notify_unrecognised", "imap_enabled", "imap_host", "imap_port", "imap_user",
            "imap_password", "imap_folder",
        ]  # fmt: skip
        labels = {"imap_port": "IMAP port", "imap_folder": "IMAP folder"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("imap_enabled") and not (data.get("imap_host") and data.get("imap_user")):
            raise forms.ValidationError("Give the IMAP server and user to poll a mailbox.")
        return data

    def save(self, commit: bool = True) -> FeedSettings:
        feed = super().save(commit=False)
        if self.cleaned_data.get("imap_password"):
            set_password(feed, self.cleaned_data["imap_password"])
        if commit:
            feed.save()
        return feed


class ManualLeadForm(forms.Form):
    first_name = forms.CharField(max_length=80, required=False)
    last_name = forms.CharField(max_length=80, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    property_address = forms.CharField(max_length=200, required=False)
    source = forms.ModelChoiceField(
        queryset=LeadSource.objects.none(), required=False, empty_label="— none —"
    )
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args: Any, account_id: int, **kwargs: Any) -> None:
        initial = kwargs.get("initial") or {}
        source_name = initial.pop("source", "") if isinstance(initial.get("source"), str) else ""
        super().__init__(*args, **kwargs)
        sources = LeadSource.objects.for_account(account_id)
        self.fields["source"].queryset = sources  # type: ignore[attr-defined]
        if source_name and not self.is_bound:
            self.initial["source"] = sources.filter(name__iexact=source_name).first()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("first_name") or data.get("last_name")):
            raise forms.ValidationError("Give at least a first or last name.")
        return data
