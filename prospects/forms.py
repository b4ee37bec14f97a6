from __future__ import annotations

from typing import Any

from django import forms

from prospects.models import Lead, LeadSource


class LeadForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = [
            "stage",
            "lead_type",
            "source",
            "inquiry",
            "price",
            "mls_number",
            "property_street",
            "property_unit",
            "property_city",
            "property_state",
            "property_postal_code",
            "received_at",
        ]
        widgets = {
            "inquiry": forms.Textarea(attrs={"rows": 4}),
            "received_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def __init__(self, *args: Any, account_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = LeadSource.objects.for_account(account_id)  # type: ignore[attr-defined]


class LeadSourceForm(forms.ModelForm):
    class Meta:
        model = LeadSource
        fields = ["name"]
