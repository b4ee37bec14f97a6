"""What a parsed message does: a lead becomes a prospect or updates the person who
already exists (same email or phone), a showing is recorded with its showing agent, a
non-lead is set aside, and an unreadable message waits in the inbox. The agent hears of
leads and of unreadable messages at once; a source that stops parsing is reported."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from contacts.models import Contact, Database, Email, NoteKind, Phone
from contacts.phones import format_national
from contacts.search import build_search_text
from contacts.selectors import person_reached_at
from contacts.services import (
    ContactData,
    EmailInput,
    PhoneInput,
    category_by_key,
    contact_create,
    note_add,
)
from crm.models import User
from crm.notify import Notice, notify_agents
from emailfeed.mail import read
from emailfeed.models import InboundMessage, MessageStatus, Showing, SourceHealth
from emailfeed.parsers import Ignored, LeadData, Outcome, ShowingData, parse_mail
from prospects.models import Lead, LeadSource, Stage

log = logging.getLogger(__name__)

# Pipeline order: a new inquiry never moves a lead back, and wakes a dead one.
_ORDER = [Stage.NEW, Stage.ATTEMPTED, Stage.CONTACTED, Stage.APPOINTMENT, Stage.ACTIVE,
          Stage.UNDER_CONTRACT, Stage.CLOSED]  # fmt: skip


def process(message: InboundMessage) -> InboundMessage:
    """Parse and apply one stored message; safe to run again (parse again)."""
    mail = read(bytes(message.raw))
    outcome = parse_mail(mail)
    message.attempts += 1
    message.parser = outcome.parser
    message.extracted = outcome.as_json() if outcome.data is not None else {}
    message.error = outcome.error
    message.parsed_at = timezone.now()
    try:
        with transaction.atomic():
            _apply(message, outcome)
    except Exception as exc:  # stored, marked failed with the reason, and shown in the inbox
        log.exception("feed message %s could not be applied", message.pk)
        message.status = MessageStatus.FAILED
        message.error = f"{type(exc).__name__}: {exc}"[:2000]
    message.save()
    _record_health(message, mail.sender_domain)
    if message.status in (MessageStatus.UNRECOGNISED, MessageStatus.FAILED):
        _tell_unreadable(message)
    return message


def _apply(message: InboundMessage, outcome: Outcome) -> None:
    data = outcome.data
    if isinstance(data, LeadData):
        message.source = data.source[:80]
        person, created = apply_lead(message, data)
        message.contact = person
        message.status = MessageStatus.LEAD_CREATED if created else MessageStatus.LEAD_UPDATED
        transaction.on_commit(lambda: _tell_lead(message, data, person, created))
    elif isinstance(data, ShowingData):
        message.source = data.source[:80]
        showing = apply_showing(message, data)
        message.contact = showing.agent
        message.status = MessageStatus.SHOWING
    elif isinstance(data, Ignored):
        message.status = MessageStatus.IGNORED
    else:
        message.status = MessageStatus.FAILED if outcome.error else MessageStatus.UNRECOGNISED


# ---- leads -----------------------------------------------------------------------------------


def existing_person(account_id: int, email: str, phone: str) -> Contact | None:
    """The person a lead with this email or E.164 phone already is."""
    return person_reached_at(account_id, email=email, phone_digits=phone.lstrip("+"))


def prospect_by_hand(
    message: InboundMessage, data: dict[str, Any], *, actor: User | None
) -> tuple[Contact, bool]:
    """A message no parser could read, typed in by the agent: the person already here
    (same email or phone) gets a note, anyone else becomes a prospect. (person, created)"""
    from contacts.phones import parse_phone

    phone = parse_phone(data["phone"], "US").e164.split(";")[0] if data["phone"] else ""
    known = existing_person(message.account_id, data["email"] or "", phone)
    subject = f"From the feed message \u201c{message.subject}\u201d"
    with transaction.atomic():
        if known is not None:
            note_add(contact=known, actor=actor, body=f"{subject}: {data['message']}")
            person, status = known, MessageStatus.LEAD_UPDATED
        else:
            source = data["source"]
            person, _warnings = contact_create(
                account=message.account,
                actor=actor,
                data=ContactData(
                    fields={
                        "first_name": data["first_name"],
                        "last_name": data["last_name"],
                        "database": Database.PROSPECTS,
                        "lead_source": source.name if source else "",
                    },
                    emails=[EmailInput(address=data["email"])] if data["email"] else [],
                    phones=[PhoneInput(raw=data["phone"])] if data["phone"] else [],
                ),
            )
            Lead.objects.create(
                account_id=message.account_id, contact=person, source=source,
                inquiry=data["message"], property_street=data["property_address"][:200],
                received_at=message.received_at,
            )  # fmt: skip
            note_add(contact=person, actor=actor, body=f"{subject}.")
            status = MessageStatus.LEAD_CREATED
        message.contact, message.status = person, status
        message.save(update_fields=["contact", "status"])
    return person, known is None


def _source(account_id: int, name: str) -> LeadSource:
    name = name.strip()[:80] or "Website"
    found = LeadSource.objects.for_account(account_id).filter(name__iexact=name).first()
    return found or LeadSource.objects.create(account_id=account_id, name=name)


def _inquiry_text(data: LeadData) -> str:
    parts = [data.message.strip()]
    details = []
    if data.property_address:
        details.append(data.property_address)
    if data.price:
        details.append(f"${data.price:,}")
    if data.mls_number:
        details.append(f"MLS {data.mls_number}")
    if details:
        parts.append("About: " + " · ".join(details))
    return "\n".join(p for p in parts if p)


def apply_lead(message: InboundMessage, data: LeadData) -> tuple[Contact, bool]:
    account_id = message.account_id
    source = _source(account_id, data.source)
    person = existing_person(account_id, data.email, data.phone)
    created = person is None
    if person is None:
        person = _new_prospect(message, data, source)
    else:
        _add_channels(person, data)
    lead = Lead.objects.for_account(account_id).filter(contact=person).first()
    if lead is None:
        lead = Lead(account_id=account_id, contact=person, stage=Stage.NEW,
                    received_at=message.received_at)  # fmt: skip
    elif lead.stage == Stage.DEAD:
        lead.stage = Stage.NEW  # a new inquiry wakes a dead lead
    if lead.source_id is None or created:
        lead.source = source
    if data.lead_type and not lead.lead_type:
        lead.lead_type = data.lead_type
    if data.property_address and not lead.property_street:
        lead.property_street = data.property_address[:200]
    if data.price and not lead.price:
        lead.price = data.price
    if data.mls_number and not lead.mls_number:
        lead.mls_number = data.mls_number[:30]
    inquiry = _inquiry_text(data)
    if inquiry:
        lead.inquiry = (lead.inquiry + "\n\n" if lead.inquiry else "") + inquiry
    lead.save()
    heading = f"{source.name} lead" + ("" if created else " (again)")
    note_add(contact=person, actor=None, kind=NoteKind.SYSTEM,
             body=f"{heading}: {inquiry or message.subject}"[:5000])  # fmt: skip
    return person, created


def _new_prospect(message: InboundMessage, data: LeadData, source: LeadSource) -> Contact:
    """The lead as a new prospect, written directly: the parser already gave a checked
    email and an E.164 phone, so the general create service's lookups are not needed."""
    first, last = data.first_name[:80], data.last_name[:80]
    if not (first or last):
        first = (data.email.split("@")[0] if data.email else "")[:80] or "New lead"
    email = data.email.lower()[:254]
    digits = data.phone.lstrip("+")
    search = build_search_text(
        names=[f"{first} {last}".strip()],
        emails=[email] if email else [],
        phone_digits=[digits] if digits else [],
        streets=[],
    )
    person = Contact.objects.create(
        account_id=message.account_id, first_name=first, last_name=last,
        database=Database.PROSPECTS, lead_source=source.name, search_text=search,
    )  # fmt: skip
    if email:
        Email.objects.create(account_id=message.account_id, contact=person, address=email)
    if data.phone:
        raw = format_national(data.phone)
        Phone.objects.create(account_id=message.account_id, contact=person, label="mobile",
                             raw=raw, e164=data.phone, digits=digits)  # fmt: skip
    return person


def _add_channels(person: Contact, data: LeadData) -> None:
    """A new email or phone the lead gave is added; nothing is removed or replaced."""
    if data.email and not person.emails.filter(address=data.email.lower()).exists():
        Email.objects.create(account_id=person.account_id, contact=person, address=data.email,
                             position=person.emails.count())  # fmt: skip
    if data.phone and not person.phones.filter(e164=data.phone).exists():
        Phone.objects.create(account_id=person.account_id, contact=person, raw=data.phone,
                             e164=data.phone, digits=data.phone.lstrip("+"),
                             position=person.phones.count())  # fmt: skip


def _tell_lead(message: InboundMessage, data: LeadData, person: Contact, created: bool) -> None:
    """At once, from the worker that made the lead: a queued alert would wait behind
    every message of a burst, and speed to lead is the point."""
    try:
        notify_agents(message.account_id, lead_notice(message, person, created))
    except Exception:  # the lead is saved; a mail server hiccup must not undo it
        log.exception("lead alert for feed message %s failed", message.pk)


def lead_notice(message: InboundMessage, person: Contact, created: bool) -> Notice:
    data = message.extracted or {}
    name = person.full_name or "Someone"
    phone = format_national(data["phone"]) if data.get("phone") else "no phone"
    place = f" on {data['property_address']}" if data.get("property_address") else ""
    verb = "New" if created else "Repeat"
    source = message.source or "website"
    what = source if source.lower().endswith(" lead") else f"{source} lead"
    return Notice(
        subject=f"{verb} {what}: {name}",
        text=f"{verb} {what}: {name} {phone}{place}",
        path=person.get_absolute_url(),
    )


# ---- showings --------------------------------------------------------------------------------


def apply_showing(message: InboundMessage, data: ShowingData) -> Showing:
    account_id = message.account_id
    agent = existing_person(account_id, data.agent_email, data.agent_phone)
    if agent is None and (data.agent_name or data.agent_email or data.agent_phone):
        from prospects.import_mapping import split_full_name

        first, last = split_full_name(data.agent_name) if data.agent_name else ("", "")
        if not (first or last):
            first = data.agent_email.split("@")[0] if data.agent_email else "Showing agent"
        agent, _warnings = contact_create(
            account=message.account,
            actor=None,
            data=ContactData(
                fields={
                    "first_name": first[:80],
                    "last_name": last[:80],
                    "database": Database.CONTACTS,
                },
                emails=[EmailInput(address=data.agent_email, label="work")]
                if data.agent_email
                else [],
                phones=[PhoneInput(raw=data.agent_phone, label="mobile")]
                if data.agent_phone
                else [],
                category_ids=[category_by_key(account_id, "agent").pk],
            ),
        )
    place = data.property_address[:300] or "(address not given)"
    showing = Showing.objects.create(
        account_id=account_id, property_address=place,
        starts_at=data.showing_start, source=data.source[:80], agent=agent,
        agent_name=data.agent_name[:160], agent_email=data.agent_email[:254],
        agent_phone=data.agent_phone[:20], message=message,
    )  # fmt: skip
    if agent is not None:
        when = timezone.localtime(data.showing_start).strftime("%b %-d, %-I:%M %p") if (
            data.showing_start) else "a time not given"  # fmt: skip
        note_add(contact=agent, actor=None, kind=NoteKind.SYSTEM,
                 body=f"Showed {showing.property_address} ({data.source}) on {when}.")  # fmt: skip
    return showing


# ---- telling the agent -----------------------------------------------------------------------


def _tell_unreadable(message: InboundMessage) -> None:
    from emailfeed.ingest import feed_settings

    if not feed_settings(message.account_id).notify_unrecognised:
        return
    if message.attempts > 1:
        return  # told the first time; "parse again" stays quiet
    try:
        notify_agents(message.account_id, unreadable_notice(message))
    except Exception:
        log.exception("alert for unreadable feed message %s failed", message.pk)


def unreadable_notice(message: InboundMessage) -> Notice:
    sender = message.from_address or "an unknown sender"
    return Notice(
        subject=f"A lead email could not be read: {message.subject[:80]}",
        text=(
            f"An email from {sender} to your lead feed could not be read "
            f"(\u201c{message.subject[:60]}\u201d). It waits in the feed inbox."
        ),
        path=message.get_absolute_url(),
    )


def _record_health(message: InboundMessage, domain: str) -> None:
    """Remember per sending domain when it last parsed; when one that used to parse
    fails, tell the agent once per failing streak."""
    if not domain or message.status == MessageStatus.IGNORED:
        return
    health, _ = SourceHealth.objects.for_account(message.account_id).get_or_create(
        account_id=message.account_id, domain=domain[:200]
    )
    now = timezone.now()
    if message.status in (MessageStatus.LEAD_CREATED, MessageStatus.LEAD_UPDATED,
                          MessageStatus.SHOWING):  # fmt: skip
        health.last_success_at, health.failing_since, health.failures = now, None, 0
        health.parser = message.parser
        health.save()
        return
    health.failures += 1
    health.failing_since = health.failing_since or message.received_at
    should_alert = health.last_success_at is not None and (
        health.alerted_at is None or health.alerted_at < health.failing_since
    )
    if should_alert:
        health.alerted_at = now
    health.save()
    if should_alert:
        from emailfeed.tasks import notify_source_failing

        transaction.on_commit(
            lambda: notify_source_failing.delay(account_id=message.account_id, health_id=health.pk)
        )


def failing_notice(health: SourceHealth) -> Notice:
    since = health.failing_since or timezone.now()
    local = timezone.localtime(since)
    day = local.strftime("%A") if timezone.now() - since < timedelta(days=6) else local.strftime(
        "%b %-d")  # fmt: skip
    name = health.parser.replace("_", " ").title() if health.parser else health.domain
    return Notice(
        subject=f"{name} emails stopped parsing",
        text=(
            f"{name} emails stopped parsing since {day}: {health.failures} from "
            f"{health.domain} could not be read. They wait in the feed inbox."
        ),
        path="/emailfeed/?status=unrecognised",
    )


def by_status(account_id: int) -> dict[str, int]:
    from django.db.models import Count

    rows = (InboundMessage.objects.for_account(account_id).values("status")
            .annotate(n=Count("id")).order_by())  # fmt: skip
    return {r["status"]: r["n"] for r in rows}
