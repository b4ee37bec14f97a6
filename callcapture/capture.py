"""Callers and texters become prospects: the person with that number already, or a new
prospect with source "call capture", the listing's address and the code; then the
agent hears of it at once. Runs in the worker (Lookup and notifications are slow)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from callcapture import twilio_api
from callcapture.models import HotlineEvent, HotlineKind, TextMessage, TwilioConnection
from contacts.models import Contact, Database, NoteKind
from contacts.phones import format_national
from contacts.selectors import person_reached_at
from contacts.services import ContactData, PhoneInput, contact_create, note_add
from crm.notify import Notice, notify_agents
from prospects.import_mapping import split_full_name
from prospects.models import Lead, Stage
from prospects.services import lead_source_by_key


def _looked_up_name(event: HotlineEvent) -> str:
    connection = TwilioConnection.objects.for_account(event.account_id).first()
    if connection is None or not connection.lookup_enabled:
        return ""
    return twilio_api.caller_name(connection, event.from_number)


def _what(event: HotlineEvent) -> str:
    verb = "Called the hotline" if event.kind == HotlineKind.CALL else "Texted the hotline"
    if event.listing is not None:
        place = event.listing.property_address or event.listing.headline
        return f"{verb} for {place} (code {event.listing.code})"
    return f"{verb}" + (f" (code {event.code}, not a listing)" if event.code else "")


def capture(event: HotlineEvent) -> Contact | None:
    """The event's person, made or found, with a note and the lead details; idempotent."""
    if not event.from_number:
        return None  # no caller ID: logged, nobody to capture
    if event.captured_at is not None and event.contact_id:
        return _note_listing(event)
    name = event.caller_name or _looked_up_name(event)
    with transaction.atomic():
        event = HotlineEvent.objects.select_for_update().get(pk=event.pk)
        if event.captured_at is not None and event.contact_id:
            return _note_listing(event)
        account_id = event.account_id
        person = person_reached_at(account_id, phone_digits=event.from_number.lstrip("+"))
        known = person is not None
        listing = event.listing
        source = lead_source_by_key(account_id, "call_capture")
        if person is None:
            # No name from Lookup: listed as "Caller (970) 555-0123" (as a company, so letters
            # fall back to "Dear Neighbor" rather than "Dear Caller") until the agent knows.
            first, last = split_full_name(name.title()) if name else ("", "")
            company = "" if (first or last) else f"Caller {format_national(event.from_number)}"
            person, _warnings = contact_create(
                account=event.account,
                actor=None,
                data=ContactData(
                    fields={
                        "first_name": first[:80],
                        "last_name": last[:80],
                        "company": company,
                        "database": Database.PROSPECTS,
                        "lead_source": source.name if source else "Call capture",
                    },
                    phones=[PhoneInput(raw=event.from_number, label="mobile")],
                ),
            )
        lead = Lead.objects.for_account(account_id).filter(contact=person).first()
        if lead is None and person.database == Database.PROSPECTS:
            lead = Lead(account_id=account_id, contact=person, stage=Stage.NEW, source=source)
        if lead is not None:
            if lead.source_id is None:
                lead.source = source
            lead.save()
        event.contact, event.captured_at, event.caller_name = person, timezone.now(), name[:120]
        event.save(update_fields=["contact", "captured_at", "caller_name"])
        _claim_thread(account_id, event.from_number, person)
        conversation = known and event.outcome == "message"  # the text is on the thread
        if listing is None and not conversation:
            note_add(contact=person, actor=None, kind=NoteKind.SYSTEM, body=_what(event) + ".")
    return _note_listing(event)


def _claim_thread(account_id: int, number: str, person: Contact) -> None:
    """Texts with this number from before anyone knew who it was: now on their record."""
    texts = TextMessage.objects.for_account(account_id).filter(contact__isnull=True)
    texts.filter(Q(from_number=number) | Q(to_number=number)).update(contact=person)


def _note_listing(event: HotlineEvent) -> Contact | None:
    """Write the listing the caller asked about on their record, once per listing."""
    person = event.contact
    listing = event.listing
    if person is None or listing is None or event.listing_noted_id == listing.pk:
        return person
    with transaction.atomic():
        lead = Lead.objects.for_account(event.account_id).filter(contact=person).first()
        if lead is not None:
            if not lead.property_street:
                for field in ("street", "unit", "city", "state", "postal_code"):
                    setattr(lead, f"property_{field}", getattr(listing, f"property_{field}"))
            lead.inquiry = (lead.inquiry + "\n" if lead.inquiry else "") + _what(event)
            lead.save()
        note_add(contact=person, actor=None, kind=NoteKind.SYSTEM, body=_what(event) + ".")
        event.listing_noted = listing
        event.save(update_fields=["listing_noted"])
    return person


def notice_for(event: HotlineEvent, person: Contact) -> Notice:
    number = format_national(event.from_number) if event.from_number else "unknown number"
    name = str(person) or event.caller_name or "Unknown caller"
    shown = name if number in name else f"{name} {number}"
    if event.outcome == "message":
        return Notice(
            subject=f"Text from {name}",
            text=f"Text from {shown}: {event.body[:300]}",
            path=person.get_absolute_url() + "#texts",
        )
    where = ""
    if event.listing is not None:
        place = event.listing.property_street or event.listing.headline
        where = f" on {place} (code {event.listing.code})"
    return Notice(
        subject=f"New call-capture lead: {name}",
        text=f"New call-capture lead: {shown}{where}",
        path=person.get_absolute_url(),
    )


def capture_and_notify(event: HotlineEvent) -> Contact | None:
    person = capture(event)
    if person is None:
        return None
    claimed = HotlineEvent.objects.filter(pk=event.pk, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if claimed:  # once per event, even when Twilio or the worker repeats
        notify_agents(event.account_id, notice_for(event, person))
    return person
