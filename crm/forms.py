from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from crm.models import FLAG_NAMES, Account, Category, Membership, Role, User

_ZONES = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/"))
TIME_ZONE_CHOICES = [(z, z.replace("_", " ")) for z in _ZONES]


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, so the user keeps what they typed."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class SignupExtraForm(forms.Form):
    """Added to allauth's signup: who you are and what your business is called."""

    full_name = forms.CharField(label="Your name", max_length=150)
    account_name = forms.CharField(
        label="Business name", max_length=150, help_text="For example “Smith Realty Group”."
    )

    def signup(self, request: Any, user: User) -> None:
        from crm.services import account_create

        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])
        account_create(name=self.cleaned_data["account_name"], owner=user)


class AccountCreateForm(forms.Form):
    name = forms.CharField(label="Business name", max_length=150)


class AccountSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES)

    class Meta:
        model = Account
        fields = ["name", "time_zone", "default_region"]

    def clean_default_region(self) -> str:
        import phonenumbers

        region = self.cleaned_data["default_region"].strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise forms.ValidationError("Use a two-letter country code such as US, CA or GB.")
        return region


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "mobile_phone"]
        labels = {"full_name": "Your name", "mobile_phone": "Mobile phone"}


class _FlagsMixin:
    def flags(self) -> dict[str, bool]:
        return {flag: bool(self.cleaned_data.get(flag)) for flag in FLAG_NAMES}  # type: ignore[attr-defined]


class InvitationForm(_FlagsMixin, forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(
        choices=[(Role.ASSISTANT, "Assistant"), (Role.PARTNER, "Partner")],
        initial=Role.ASSISTANT,
        help_text="Sets the permissions below; you can change them any time.",
    )
    can_see_income = forms.BooleanField(required=False, label="Sees income and commissions")
    can_delete = forms.BooleanField(required=False, label="May delete records")
    can_export = forms.BooleanField(required=False, label="May export")
    can_manage_users = forms.BooleanField(required=False, label="Manages the team")


class MembershipForm(_FlagsMixin, forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", *FLAG_NAMES]


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "description"]


class CategoryMergeForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=Category.objects.none(), label="Merge", empty_label="Choose a category…"
    )
    target = forms.ModelChoiceField(
        queryset=Category.objects.none(), label="into", empty_label="Choose a category…"
    )

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scoped = Category.objects.for_account(account)
        self.fields["source"].queryset = scoped.filter(key="")  # type: ignore[attr-defined]
        self.fields["target"].queryset = scoped  # type: ignore[attr-defined]


class InvitationAcceptForm(forms.Form):
    """For someone new: name and password, and they are in."""

    full_name = forms.CharField(label="Your name", max_length=150)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, min_length=8)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data
