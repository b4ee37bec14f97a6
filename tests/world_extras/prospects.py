"""Prospect rows for the shared world: a lead, an open house with a visit, an import
profile and run, a duplicate decision and a merge; texts carry the marker."""

from __future__ import annotations

from django.utils import timezone

from contacts.models import Contact
from crm.models import Account, User
from prospects.models import (
    DuplicateDismissal,
    ImportChange,
    ImportProblem,
    ImportProfile,
    ImportRun,
    Lead,
    LeadSource,
    Merge,
    OpenHouse,
    OpenHouseVisit,
)


def populate(account: Account, owner: User, marker: str) -> None:
    person = Contact.objects.get(account=account, first_name=f"{marker}first")
    prospect = Contact.objects.get(account=account, first_name=f"{marker}lead")
    first, second = sorted((person, prospect), key=lambda c: c.pk)
    source = LeadSource.objects.get(account=account, key="zillow")
    Lead.objects.create(
        account=account,
        contact=prospect,
        lead_type="buyer",
        source=source,
        inquiry=f"{marker} asks about the house",
        property_street=f"9 {marker} Court",
    )
    house = OpenHouse.objects.create(
        account=account,
        property_street=f"12 {marker} Lane",
        starts_at=timezone.now(),
        created_by=owner,
    )
    OpenHouseVisit.objects.create(account=account, open_house=house, contact=prospect)
    profile = ImportProfile.objects.create(
        account=account, name=f"{marker} FSBO list", mapping={"Owner": "full_name"}
    )
    run = ImportRun.objects.create(
        account=account, profile=profile, filename=f"{marker}.csv", created_by=owner
    )
    ImportChange.objects.create(
        account=account, run=run, contact=prospect, row_number=1, created=True
    )
    ImportProblem.objects.create(
        account=account, run=run, row_number=3, outcome="skipped",
        problem=f"{marker} row problem", cells=[f"{marker} cell"],
    )  # fmt: skip
    DuplicateDismissal.objects.create(account=account, first=first, second=second, created_by=owner)
    Merge.objects.create(
        account=account,
        survivor=person,
        absorbed_ids=[],
        snapshot={"note": f"{marker} merge"},
        created_by=owner,
    )
