"""Forms of the vCard and export pages."""

from __future__ import annotations

from typing import Any

from django import forms

from contacts.models import Database
from crm.models import Category


class VCardImportForm(forms.Form):
    file = forms.FileField(
        label="vCard file",
        help_text="A .vcf file from an iPhone, Android, Google Contacts or Outlook.",
        widget=forms.FileInput(attrs={"accept": ".vcf,.vcard,text/vcard,text/x-vcard"}),
    )
    database = forms.ChoiceField(
        label="Add them to", choices=Database.choices, initial=Database.CONTACTS
    )
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Given to everyone in the file, besides the categories the file names.",
    )

    def __init__(self, *args: Any, account_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = Category.objects.for_account(account_id)  # type: ignore[attr-defined]
