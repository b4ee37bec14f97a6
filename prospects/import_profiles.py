"""The import profiles every account starts with: a generic CSV, vCard, and the contact
exports of other CRMs, laid out as far as their public help pages show them.

A seeded profile keeps its ``key``; columns its layout does not name are still mapped
from their header names when a file is uploaded.
"""

from __future__ import annotations

from typing import Any

from crm.models import Account
from prospects.import_files import VCARD_HEADER

_VCARD_KEYS = [
    "first_name", "last_name", "company", "", "email", "email2", "mobile", "phone",
    "phone2", "phone3", "street", "unit", "city", "state", "postal_code", "country",
    "birthday", "categories", "notes",
]  # fmt: skip

SEEDED: list[dict[str, Any]] = [
    {
        "key": "generic_csv",
        "name": "CSV or Excel file",
        "database": "prospects",
        "mapping": {},
    },
    {
        "key": "vcard",
        "name": "vCard file",
        "database": "contacts",
        "mapping": {h: k for h, k in zip(VCARD_HEADER, _VCARD_KEYS, strict=True) if k},
    },
    {
        "key": "top_producer",
        "name": "Top Producer export",
        "database": "contacts",
        "mapping": {
            "First Name": "first_name", "Last Name": "last_name", "Salutation": "salutation",
            "Company": "company", "Home Phone": "phone", "Business Phone": "work_phone",
            "Mobile Phone": "mobile", "E-mail": "email", "E-mail 2": "email2",
            "Address 1": "street", "Address 2": "unit", "City": "city",
            "State/Province": "state", "Zip/Postal Code": "postal_code", "Country": "country",
            "Birthday": "birthday", "Source": "lead_source", "Contact Type": "lead_type",
            "Notes": "notes",
        },
    },
    {
        "key": "wise_agent",
        "name": "Wise Agent export",
        "database": "contacts",
        "mapping": {
            "First Name": "first_name", "Last Name": "last_name", "Company": "company",
            "Email": "email", "Email 2": "email2", "Home Phone": "phone",
            "Cell Phone": "mobile", "Work Phone": "work_phone", "Address": "street",
            "City": "city", "State": "state", "Zip": "postal_code",
            "Categories": "categories", "Source": "lead_source", "Birthday": "birthday",
            "Anniversary": "anniversary", "Notes": "notes",
        },
    },
    {
        "key": "follow_up_boss",
        "name": "Follow Up Boss export",
        "database": "prospects",
        "mapping": {
            "First Name": "first_name", "Last Name": "last_name", "Stage": "stage",
            "Source": "lead_source", "Email 1": "email", "Email 2": "email2",
            "Phone 1": "phone", "Phone 2": "phone2", "Phone 3": "phone3",
            "Address 1 - Street": "street", "Address 1 - City": "city",
            "Address 1 - State": "state", "Address 1 - Zip": "postal_code",
            "Address 1 - Country": "country", "Tags": "categories", "Background": "notes",
            "Message": "inquiry", "Property Address": "property_street",
            "Property City": "property_city", "Property State": "property_state",
            "Property Postal Code": "property_postal_code", "Birthday": "birthday",
        },
    },
]  # fmt: skip


def import_profiles_seed(*, account: Account) -> None:
    """Add the seeded profiles the account lacks (by key or by name)."""
    from prospects.models import ImportProfile

    existing = ImportProfile.objects.for_account(account)
    keys = set(existing.values_list("key", flat=True))
    names = {n.lower() for n in existing.values_list("name", flat=True)}
    ImportProfile.objects.bulk_create(
        [
            ImportProfile(
                account=account,
                key=p["key"],
                name=p["name"],
                database=p["database"],
                mapping=p["mapping"],
            )
            for p in SEEDED
            if p["key"] not in keys and p["name"].lower() not in names
        ]
    )
