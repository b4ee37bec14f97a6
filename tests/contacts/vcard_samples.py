"""vCard files as phones and Google write them, and people with a bit of everything a vCard
carries, for the vCard tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from contacts.models import Contact
from contacts.services import AddressInput, ContactData, EmailInput, PhoneInput, contact_create
from crm.models import Account, Category
from crm.services import category_create

IPHONE = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//iPhone OS 17.4//EN\r\n"
    "N:Appleseed;Johnny;Q.;Dr.;Jr.\r\n"
    "FN:Dr. Johnny Q. Appleseed Jr.\r\n"
    "ORG:Appleseed Orchards;\r\n"
    "TITLE:Arborist\r\n"
    "EMAIL;type=INTERNET;type=HOME;type=pref:johnny@example.com\r\n"
    "EMAIL;type=INTERNET;type=WORK:j.appleseed@orchard.example\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:(970) 555-0123\r\n"
    "TEL;type=HOME;type=VOICE:970.555.0199\r\n"
    "item1.TEL:+1 303 555 0100\r\n"
    "item1.X-ABLabel:_$!<Mobile>!$_\r\n"
    "item2.TEL:303-555-0101\r\n"
    "item2.X-ABLabel:Cabin\r\n"
    "item3.ADR;type=HOME;type=pref:;;1 Orchard Lane\\nUnit 5;Fort Collins;CO;80521;Uni\r\n"
    " ted States\r\n"
    "item3.X-ABADR:us\r\n"
    "BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-04\r\n"
    "CATEGORIES:Top100,Christmas\r\n"
    "NOTE:Met at the open house\\, 12 Elm St.\\nLikes blue.\r\n"
    "END:VCARD\r\n"
)

ANDROID_21 = (
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=B6rg;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=B6rg M=C3=BCller\r\n"
    "TEL;CELL;PREF:+49 170 1234567\r\n"
    "TEL;HOME:970-555-0142\r\n"
    "TEL;WORK;VOICE:(970) 555-0143\r\n"
    "EMAIL;HOME:joerg@example.de\r\n"
    "ADR;HOME;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:;;Hauptstra=C3=9Fe 5;Berlin;;10115;Deu=\r\n"
    "tschland\r\n"
    "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Sucht eine Wohnung f=C3=BCr die Famil=\r\n"
    "ie, ab M=C3=A4rz.\r\n"
    "BDAY:19800304\r\n"
    "CATEGORIES:Buyers;Relocation\r\n"
    "END:VCARD\r\n"
)

GOOGLE = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "FN:Sandy Smith\r\n"
    "N:Smith;Sandy;;;\r\n"
    "EMAIL;TYPE=INTERNET;TYPE=HOME:sandy@example.com\r\n"
    "TEL;TYPE=CELL:(970) 555-0111\r\n"
    "item1.TEL:(970) 555-0112\r\n"
    "item1.X-ABLabel:Work line\r\n"
    "ADR;TYPE=HOME:;;12 Elm St;Fort Collins;CO;80521;US\r\n"
    "item2.ADR:;;PO Box 7;Loveland;CO;80537;US\r\n"
    "item2.X-ABLabel:Cabin\r\n"
    "BDAY:1975-11-30\r\n"
    "CATEGORIES:myContacts,Christmas\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "FN:Acme Plumbing\r\n"
    "N:;;;;\r\n"
    "ORG:Acme Plumbing\r\n"
    "TEL;TYPE=WORK:970-555-0155\r\n"
    "END:VCARD\r\n"
)

VCARD_40 = (
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "FN:Pat Doe\n"
    'TEL;VALUE=uri;TYPE="cell,voice";PREF=1:tel:+1-970-555-0177;ext=12\n'
    "TEL;TYPE=home:tel:+19705550178\n"
    "EMAIL;TYPE=work:pat@example.org\n"
    "BDAY:--0229\n"
    'ADR;TYPE=work;LABEL="Office: 1 Main St, Fort Collins":;;1 Main St;Fort Collins;CO;80521;USA\n'
    "END:VCARD\n"
)


def _person(account: Account, **kwargs: Any) -> Contact:
    contact, _ = contact_create(account=account, actor=None, data=ContactData(**kwargs))
    return contact


def snapshot(contact: Contact) -> dict[str, Any]:
    """What a vCard carries of a person, to compare two people."""
    return {
        "name": (contact.first_name, contact.last_name, contact.company, contact.vendor_type),
        "birthday": contact.birthday,
        "phones": [(p.e164 or p.raw, p.label) for p in contact.phones.all()],
        "emails": [(e.address, e.label) for e in contact.emails.all()],
        "addresses": [
            (a.street, a.unit, a.city, a.state, a.postal_code, a.country, a.label, a.is_mailing)
            for a in contact.addresses.all()
        ],
        "categories": sorted(link.category.name for link in contact.category_links.all()),
    }


def make_varied_people(account: Account) -> list[Contact]:
    """People with a bit of everything a vCard carries, awkward characters included."""
    buyers = category_create(account=account, name="Buyers, 2025")
    top = category_create(account=account, name="Top100; VIP")
    return [
        _person(
            account,
            fields={
                "first_name": "Zoë",
                "last_name": "O'Brien-Núñez",
                "company": "Smith & Sons; Builders, Inc.",
                "vendor_type": "Electrician",
                "birthday": date(1970, 5, 6),
            },
            phones=[
                PhoneInput("(970) 555-0123", "mobile"),
                PhoneInput("970.555.0124 x12", "work"),
                PhoneInput("call the front desk", "other"),
                PhoneInput("+44 20 7946 0958", "home"),
            ],
            emails=[EmailInput("zoe@example.com"), EmailInput("zoe@work.example", "work")],
            addresses=[
                AddressInput("1 Main St", "Apt 4", "Fort Collins", "CO", "80521"),
                AddressInput(
                    "9 Shop Rd", "", "Loveland", "CO", "80537", label="work", is_mailing=False
                ),
            ],
            category_ids=[buyers.pk, top.pk],
        ),
        _person(
            account,
            fields={"company": "Acme Plumbing"},
            phones=[PhoneInput("970 555 0155", "work")],
        ),
        _person(
            account,
            fields={"first_name": "Sandy", "last_name": "Smith", "birthday": date(1604, 2, 29)},
            emails=[EmailInput("sandy@example.com", "other")],
            category_ids=[top.pk],
        ),
    ]


def category_ids_by_name(account: Account, names: list[str]) -> list[int]:
    ids = []
    for name in names:
        found = Category.objects.for_account(account).filter(name=name).first()
        ids.append((found or category_create(account=account, name=name)).pk)
    return ids
