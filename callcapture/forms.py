from __future__ import annotations

from typing import Any

from django import forms

from callcapture.models import ListingCode, TwilioConnection


class ConnectionForm(forms.ModelForm):
    auth_token = forms.CharField(
        label="Auth token",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="From the Twilio console. Stored encrypted and never shown again.",
    )

    class Meta:
        model = TwilioConnection
        fields = ["account_sid", "auth_token", "lookup_enabled", "quiet_from", "quiet_until"]
        widgets = {
            "quiet_from": forms.TimeInput(attrs={"type": "time"}),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.token_hint:
            self.fields[
                "auth_token"
            ].help_text = f"Stored (ends in …{self.instance.token_hint}). Leave blank to keep it."


class NumberForm(forms.Form):
    e164 = forms.CharField(label="Twilio number", max_length=30)
    label = forms.CharField(label="Used for", max_length=60, required=False)


class ListingCodeForm(forms.ModelForm):
    recording_url = forms.URLField(
        label="Recording",
        required=False,
        assume_scheme="https",
        help_text="An MP3 to play instead of text to speech.",
    )

    class Meta:
        model = ListingCode
        fields = [
            "code", "property_street", "property_unit", "property_city", "property_state",
            "property_postal_code", "headline", "price", "beds", "baths", "square_feet",
            "description", "spoken_text", "recording_url", "is_active",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "spoken_text": forms.Textarea(attrs={"rows": 3}),
            "code": forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{3,6}"}),
        }


class PhotoForm(forms.Form):
    image = forms.FileField(
        label="Add a photo", widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )
    caption = forms.CharField(max_length=120, required=False)


class TextForm(forms.Form):
    body = forms.CharField(
        label="Text message", max_length=1600, widget=forms.Textarea(attrs={"rows": 2})
    )
