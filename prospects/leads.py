"""The prospects app's hooks into the contacts screens: lead filters on the list, the
lead panel on a person's page, and the first response when a contact is logged."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from contacts.models import Contact, NoteKind
from prospects.models import Lead, LeadSource, LeadType, Stage

# What a logged contact does to a new lead's stage.
_REACHED = {NoteKind.CALL_CONNECTED, NoteKind.TEXT, NoteKind.EMAIL, NoteKind.MET}
_TRIED = {NoteKind.LEFT_MESSAGE, NoteKind.NO_ANSWER}


def stage_filter(account_id: int) -> django_filters.Filter:
    return django_filters.ChoiceFilter(
        field_name="lead__stage", choices=Stage.choices, label="Stage", empty_label="Any"
    )


def lead_type_filter(account_id: int) -> django_filters.Filter:
    return django_filters.ChoiceFilter(
        field_name="lead__lead_type", choices=LeadType.choices, label="Lead type", empty_label="Any"
    )


def lead_source_filter(account_id: int) -> django_filters.Filter:
    return django_filters.ModelChoiceFilter(
        field_name="lead__source",
        queryset=LeadSource.objects.for_account(account_id),
        label="Lead source",
        empty_label="Any",
    )


def lead_panel(contact: Contact) -> dict[str, Any] | None:
    lead = (
        Lead.objects.for_account(contact.account_id)
        .select_related("source")
        .filter(contact=contact)
        .first()
    )
    if lead is None and contact.database != "prospects":
        return None
    return {"lead": lead, "contact": contact}


def on_contact_logged(sender: Any, contact: Contact, note: Any, **kwargs: Any) -> None:
    """Speed to lead: the first logged contact is the first response; a new lead moves on."""
    leads: QuerySet[Lead] = Lead.objects.for_account(contact.account_id).filter(contact=contact)
    lead = leads.first()
    if lead is None:
        return
    changed = []
    if lead.first_response_at is None:
        lead.first_response_at = note.created_at
        changed.append("first_response_at")
    if lead.stage in (Stage.NEW, Stage.ATTEMPTED) and note.kind in _REACHED:
        lead.stage = Stage.CONTACTED
        changed.append("stage")
    elif lead.stage == Stage.NEW and note.kind in _TRIED:
        lead.stage = Stage.ATTEMPTED
        changed.append("stage")
    if changed:
        lead.save(update_fields=changed)


LEAD_CSV_HEADERS = (
    "Stage", "Lead type", "Inquiry", "Property street", "Property unit", "Property city",
    "Property state", "Property ZIP", "Lead received", "First response (minutes)",
)  # fmt: skip
_STAGES = dict(Stage.choices)
_TYPES = dict(LeadType.choices)


def lead_csv_values(ids: list[int], tz: Any) -> dict[int, list[Any]]:
    """The lead columns of the people CSV, for one batch of people."""
    rows = Lead.objects.filter(contact_id__in=ids).values_list(
        "contact_id", "stage", "lead_type", "inquiry", "property_street", "property_unit",
        "property_city", "property_state", "property_postal_code", "received_at",
        "first_response_at",
    )  # fmt: skip
    found: dict[int, list[Any]] = {}
    for contact_id, stage, kind, inquiry, *place, received, responded in rows:
        minutes = round((responded - received).total_seconds() / 60) if responded else ""
        found[contact_id] = [
            _STAGES.get(stage, stage), _TYPES.get(kind, kind), inquiry, *place,
            received.astimezone(tz).strftime("%Y-%m-%d %H:%M") if received else "", minutes,
        ]  # fmt: skip
    return found
