from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory

from contacts.models import (
    AddressLabel,
    Contact,
    EmailLabel,
    NoteKind,
    PhoneLabel,
    PhoneStatus,
)
from contacts.services import AddressInput, ContactData, EmailInput, PhoneInput
from crm.models import Category


class PersonPicker(forms.TextInput):
    """Pick another person of the account by typing a name (htmx lookup), not a 100k-long select.

    The form gives it the account's people as ``queryset``: a posted id from another
    account (or junk) must not show anyone's name when the form comes back with errors.
    ``exclude_pk`` (the person being edited) is left out of the lookup's results.
    """

    template_name = "contacts/widgets/person_picker.html"
    queryset: Any = Contact.objects.none()
    exclude_pk: int | None = None

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        label = ""
        if value and str(value).isdigit():
            person = self.queryset.filter(pk=value).only("first_name", "last_name", "company")
            label = str(person.first() or "")
        context["widget"]["label"] = label
        context["widget"]["exclude"] = self.exclude_pk or ""
        return context


class ContactForm(forms.ModelForm):
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Contact
        fields = [
            "first_name",
            "last_name",
            "salutation",
            "company",
            "vendor_type",
            "spouse",
            "referred_by",
            "birthday",
            "home_anniversary",
            "how_met",
            "lead_source",
            "database",
            "stop_automations",
        ]
        widgets = {
            "birthday": forms.DateInput(attrs={"type": "date"}),
            "home_anniversary": forms.DateInput(attrs={"type": "date"}),
            "spouse": PersonPicker(),
            "referred_by": PersonPicker(),
        }

    def __init__(self, *args: Any, account_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Contact.objects.for_account(account_id).alive()
        if self.instance.pk:
            people = people.exclude(pk=self.instance.pk)
            self.initial.setdefault(
                "categories", [link.category_id for link in self.instance.category_links.all()]
            )
        for name in ("spouse", "referred_by"):
            self.fields[name].queryset = people  # type: ignore[attr-defined]
            self.fields[name].widget.queryset = people  # type: ignore[attr-defined]
            self.fields[name].widget.exclude_pk = self.instance.pk  # type: ignore[attr-defined]
        self.fields["categories"].queryset = Category.objects.for_account(account_id)  # type: ignore[attr-defined]

    def contact_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PhoneForm(forms.Form):
    raw = forms.CharField(label="Phone", max_length=40, required=False)
    label = forms.ChoiceField(choices=PhoneLabel.choices, initial=PhoneLabel.MOBILE)


class EmailForm(forms.Form):
    address = forms.EmailField(label="Email", required=False)
    label = forms.ChoiceField(choices=EmailLabel.choices, initial=EmailLabel.PERSONAL)


class AddressForm(forms.Form):
    street = forms.CharField(max_length=200, required=False)
    unit = forms.CharField(max_length=40, required=False, label="Unit / apt")
    city = forms.CharField(max_length=100, required=False)
    state = forms.CharField(max_length=60, required=False)
    postal_code = forms.CharField(max_length=20, required=False, label="ZIP / postal code")
    country = forms.CharField(max_length=60, required=False, initial="US")
    label = forms.ChoiceField(choices=AddressLabel.choices, initial=AddressLabel.HOME)
    is_mailing = forms.BooleanField(required=False, initial=True, label="Mailing address")


PhoneFormSet = formset_factory(PhoneForm, extra=1)
EmailFormSet = formset_factory(EmailForm, extra=1)
AddressFormSet = formset_factory(AddressForm, extra=1)


class ContactEditor:
    """The person form and its phone, email and address formsets, as one unit."""

    def __init__(self, data: Any, *, account_id: int, instance: Contact | None = None) -> None:
        self.instance = instance
        self.form = ContactForm(data, instance=instance, account_id=account_id)
        phones = emails = addresses = None
        if instance is not None and instance.pk:
            phones = [{"raw": p.raw, "label": p.label} for p in instance.phones.all()]
            emails = [{"address": e.address, "label": e.label} for e in instance.emails.all()]
            addresses = [
                {f: getattr(a, f) for f in AddressForm.base_fields}
                for a in instance.addresses.all()
            ]
        self.phones = PhoneFormSet(data, prefix="phones", initial=phones)
        self.emails = EmailFormSet(data, prefix="emails", initial=emails)
        self.addresses = AddressFormSet(data, prefix="addresses", initial=addresses)

    def is_valid(self) -> bool:
        parts = (self.form, self.phones, self.emails, self.addresses)
        return all([p.is_valid() for p in parts])

    def data(self) -> ContactData:
        return ContactData(
            fields=self.form.contact_fields(),
            phones=[PhoneInput(raw=f["raw"], label=f["label"]) for f in self._rows(self.phones)],
            emails=[
                EmailInput(address=f["address"], label=f["label"]) for f in self._rows(self.emails)
            ],
            addresses=[AddressInput(**f) for f in self._rows(self.addresses)],
            category_ids=[c.pk for c in self.form.cleaned_data["categories"]],
        )

    @staticmethod
    def _rows(formset: Any) -> list[dict[str, Any]]:
        return [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data
            and any(
                v for k, v in f.cleaned_data.items() if k not in ("label", "is_mailing", "country")
            )
        ]


LOG_KINDS = [
    (k, label) for k, label in NoteKind.choices if k not in (NoteKind.NOTE, NoteKind.SYSTEM)
]


class LogForm(forms.Form):
    kind = forms.ChoiceField(choices=LOG_KINDS, widget=forms.RadioSelect, label="What happened")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Note")
    follow_up_on = forms.DateField(
        required=False, label="Next follow-up", widget=forms.DateInput(attrs={"type": "date"})
    )
    phone = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Phone")
    phone_status = forms.ChoiceField(
        required=False,
        label="Mark that phone",
        choices=[
            ("", "—"),
            (PhoneStatus.BAD, "(BAD) disconnected"),
            (PhoneStatus.DNC, "(DNC) asked not to be called"),
        ],
    )

    def __init__(self, *args: Any, contact: Contact, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        phones = list(contact.phones.all())
        phone_field = self.fields["phone"]
        assert isinstance(phone_field, forms.TypedChoiceField)
        phone_field.choices = [("", "—")] + [
            (p.pk, f"{p.display} ({p.get_label_display()})") for p in phones
        ]
        if phones:
            self.initial.setdefault("phone", phones[0].pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("phone_status") and not data.get("phone"):
            self.add_error("phone", "Choose the phone to mark.")
        return data


class NoteForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Add a note")


class DeceasedForm(forms.Form):
    deceased_on = forms.DateField(
        label="Date of death", widget=forms.DateInput(attrs={"type": "date"})
    )
    follow_up_days = forms.IntegerField(
        min_value=1, max_value=730, initial=60, label="Reach the survivor or executor in (days)"
    )


class SmartListForm(forms.Form):
    name = forms.CharField(max_length=80, label="Save this filter as")


BULK_ACTIONS = [
    ("add_categories", "Add categories"),
    ("remove_categories", "Remove categories"),
    ("mark_cold", "Mark Cold"),
    ("export_csv", "Export CSV"),
    ("export_vcard", "Export vCards"),
    ("delete", "Delete (to the trash)"),
]


def _bulk_choices() -> list[tuple[str, str]]:
    from contacts import bulk_actions

    return BULK_ACTIONS + [(a.key, a.label) for a in bulk_actions.registered()]


class BulkForm(forms.Form):
    action = forms.ChoiceField(choices=_bulk_choices)
    all_matching = forms.BooleanField(required=False)
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"id": "bulk-categories"}),
    )
    query = forms.CharField(required=False)

    def __init__(self, *args: Any, account_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = Category.objects.for_account(account_id)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw_ids = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        data["ids"] = sorted({int(v) for v in raw_ids if str(v).isdigit()})
        if not data.get("all_matching") and not data["ids"]:
            raise forms.ValidationError("Select some people first.")
        if data.get("action") in ("add_categories", "remove_categories") and not data.get(
            "categories"
        ):
            self.add_error("categories", "Choose the categories.")
        return data
