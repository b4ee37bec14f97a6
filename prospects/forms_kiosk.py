"""Forms of the open-house kiosk: the agent's open-house form and the visitor's sign-in."""

from __future__ import annotations

from typing import Any

from django import forms

from contacts.phones import parse_phone
from prospects.models import Timeframe, WorksWithAgent

_LOCAL = "%Y-%m-%dT%H:%M"


class _LocalDateTime(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=_LOCAL)


class OpenHouseForm(forms.Form):
    property_street = forms.CharField(label="Street", max_length=200)
    property_unit = forms.CharField(label="Unit", max_length=40, required=False)
    property_city = forms.CharField(label="City", max_length=100, required=False)
    property_state = forms.CharField(label="State", max_length=60, required=False)
    property_postal_code = forms.CharField(label="ZIP", max_length=20, required=False)
    starts_at = forms.DateTimeField(label="Starts", widget=_LocalDateTime())
    ends_at = forms.DateTimeField(label="Ends", widget=_LocalDateTime(), required=False)


class KioskForm(forms.Form):
    """Big, forgiving, and strict only about what lets the agent reach the visitor."""

    first_name = forms.CharField(label="First name", max_length=80, required=False)
    last_name = forms.CharField(label="Last name", max_length=80, required=False)
    email = forms.EmailField(
        label="Email", max_length=254, required=False, error_messages={
            "invalid": "That email address doesn't look right. Please check it."
        },
    )  # fmt: skip
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    works_with_agent = forms.ChoiceField(
        label="Are you working with an agent?",
        choices=WorksWithAgent.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    timeframe = forms.ChoiceField(
        label="When are you hoping to move?",
        choices=Timeframe.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args: Any, region: str = "US", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region = region
        autocomplete = {
            "first_name": "off",
            "last_name": "off",
            "email": "off",
            "phone": "off",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs.update(
                {"autocomplete": value, "autocapitalize": "words"}
            )
        self.fields["email"].widget.attrs.update({"autocapitalize": "none", "inputmode": "email"})
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "type": "tel"})

    def clean_phone(self) -> str:
        raw: str = self.cleaned_data["phone"].strip()
        if raw and not parse_phone(raw, self.region).ok:
            raise forms.ValidationError(
                "That phone number doesn't look right. Please include the area code."
            )
        return raw

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("first_name", "").strip() or data.get("last_name", "").strip()):
            self.add_error("first_name", "Please tell us your name.")
        if (
            not data.get("email")
            and not data.get("phone")
            and not self.has_error("email")
            and not self.has_error("phone")
        ):
            raise forms.ValidationError("Please give an email address or a phone number.")
        return data
