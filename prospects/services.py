"""Writes to the prospects database: lead details, lead sources, qualifying."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from contacts.models import Contact, Database
from contacts.services import note_add
from crm.models import Account, User
from prospects.models import DEFAULT_LEAD_SOURCES, Lead, LeadSource


def lead_sources_seed(*, account: Account) -> None:
    """The seeded list every new account starts with."""
    existing = set(
        LeadSource.objects.for_account(account)
        .annotate(l=Lower("name"))
        .values_list("l", flat=True)
    )
    LeadSource.objects.bulk_create(
        [
            LeadSource(account=account, key=key, name=name)
            for key, name in DEFAULT_LEAD_SOURCES
            if name.lower() not in existing
        ]
    )


def on_account_created(sender: Any, account: Account, owner: User, **kwargs: Any) -> None:
    from prospects.import_profiles import import_profiles_seed

    lead_sources_seed(account=account)
    import_profiles_seed(account=account)


def lead_source_by_key(account_id: int, key: str) -> LeadSource | None:
    return LeadSource.objects.for_account(account_id).filter(key=key).first()


def lead_for(contact: Contact) -> Lead:
    """The person's lead details, made on first use."""
    lead = Lead.objects.for_account(contact.account_id).filter(contact=contact).first()
    if lead is None:
        lead = Lead.objects.create(account_id=contact.account_id, contact=contact)
    return lead


@transaction.atomic
def prospect_qualify(*, contact: Contact, actor: User | None) -> Contact:
    """Into the contacts database on the same row: notes, history and lead details stay."""
    if contact.database != Database.PROSPECTS:
        raise ValidationError("Only prospects can be qualified.")
    contact.database = Database.CONTACTS
    contact.save(update_fields=["database", "updated_at"])
    lead = lead_for(contact)
    lead.qualified_at = timezone.now()
    lead.save(update_fields=["qualified_at"])
    note_add(contact=contact, actor=actor, kind="system", body="Qualified: moved to contacts.")
    return contact


def lead_source_create(*, account: Account, name: str) -> LeadSource:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the lead source a name."})
    if LeadSource.objects.for_account(account).filter(name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a lead source called “{name}”."})
    return LeadSource.objects.create(account=account, name=name)


def lead_source_usage(*, account: Account) -> list[LeadSource]:
    """Each source with how many leads name it."""
    from django.db.models import Count

    return list(LeadSource.objects.for_account(account).annotate(lead_count=Count("leads")))
