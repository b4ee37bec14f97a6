"""Forms of the valet import: the upload, and the mapping with its choices."""

from __future__ import annotations

from typing import Any

from django import forms

from contacts.models import Database
from crm.models import Category
from prospects.import_mapping import FIELDS
from prospects.models import DuplicateMode, ImportProfile, LeadSource

FIELD_CHOICES = [("", "— leave out —"), *FIELDS.items()]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="CSV (any delimiter or encoding), Excel .xlsx, or vCard .vcf.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,.xlsm,.vcf"}),
    )


class ImportMappingForm(forms.Form):
    """One choice per column of the file, then what to do with the people."""

    database = forms.ChoiceField(
        label="Put them in", choices=Database.choices, widget=forms.RadioSelect
    )
    mode = forms.ChoiceField(
        label="When someone is already here (same email or phone)",
        choices=DuplicateMode.choices,
        widget=forms.RadioSelect,
    )
    lead_source = forms.ModelChoiceField(
        label="Lead source",
        queryset=LeadSource.objects.none(),
        required=False,
        empty_label="— none —",
        help_text="For rows whose own lead source column is blank.",
    )
    categories = forms.ModelMultipleChoiceField(
        label="Add to categories",
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    save_as = forms.CharField(
        label="Save these choices as a menu item",
        max_length=80,
        required=False,
        help_text="For example “FSBO list”: it then shows as “Import FSBO list” in the menu.",
    )

    def __init__(
        self,
        *args: Any,
        account_id: int,
        headers: list[str],
        samples: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_source"].queryset = LeadSource.objects.for_account(account_id).filter(  # type: ignore[attr-defined]
            is_active=True
        )
        self.fields["categories"].queryset = Category.objects.for_account(account_id)  # type: ignore[attr-defined]
        self.columns: list[tuple[str, str, forms.BoundField]] = []
        for position, header in enumerate(headers):
            name = f"col_{position}"
            self.fields[name] = forms.ChoiceField(
                label=header, choices=FIELD_CHOICES, required=False
            )
            self.columns.append((header, samples.get(header, ""), self[name]))
        self.headers = headers

    def mapping(self) -> dict[str, str]:
        return {
            header: self.cleaned_data.get(f"col_{position}") or ""
            for position, header in enumerate(self.headers)
            if self.cleaned_data.get(f"col_{position}")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        taken: dict[str, str] = {}
        for position, header in enumerate(self.headers):
            key = data.get(f"col_{position}")
            if not key:
                continue
            if key in taken:
                self.add_error(
                    f"col_{position}",
                    f"“{taken[key]}” is already mapped to {FIELDS[key]}; choose one column.",
                )
            taken[key] = header
        return data


def initial_for(options: dict[str, Any], headers: list[str]) -> dict[str, Any]:
    mapping = options.get("mapping") or {}
    initial: dict[str, Any] = {
        "database": options.get("database") or Database.PROSPECTS,
        "mode": options.get("mode") or DuplicateMode.ALLOW,
        "lead_source": options.get("lead_source_id"),
        "categories": options.get("category_ids") or [],
    }
    for position, header in enumerate(headers):
        initial[f"col_{position}"] = mapping.get(header, "")
    return initial


class ImportProfileForm(forms.ModelForm):
    class Meta:
        model = ImportProfile
        fields = ["name", "in_menu"]
        labels = {"in_menu": "Show in the Import menu"}
