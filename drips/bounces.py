"""Bounces and complaints, from delivery reports (RFC 3464, to each email's VERP return
path) and from email services' webhook events (django-anymail tracking).

Each arrives, is stored (``BounceReport``), and is read in the worker:
- hard bounce: the address becomes hard_bounce, a dated "HardBounce" note, and a call
  task "Email bounced — reconnect by phone" (a dead address can be the first sign of a move);
- soft bounce: the email is sent again later; at DRIPS_SOFT_BOUNCE_LIMIT it counts as hard;
- complaint: the address becomes complaint, a note, and every automation stops;
- an unsubscribe at the service opts the address out like our own link.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from contacts.models import Contact, Email, EmailStatus, NoteKind
from contacts.services import note_add, task_create
from crm.tenancy import rls_bypass, tenant_context
from drips import bounce_reports, verp
from drips.models import (
    BounceOutcome,
    BounceReport,
    BounceVia,
    Recipient,
    RecipientStatus,
    Send,
    SendStatus,
)

log = logging.getLogger(__name__)
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
MAX_STORED = 512 * 1024
HARD_TASK = "Email bounced — reconnect by phone"
# django-anymail's event types we act on, and what each means here.
SERVICE_KINDS = {
    "bounced": "hard",
    "rejected": "hard",
    "deferred": "delayed",
    "complained": "complaint",
    "unsubscribed": "unsubscribed",
}


def soft_limit() -> int:
    return int(getattr(settings, "DRIPS_SOFT_BOUNCE_LIMIT", 3))


def soft_retry_after() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "DRIPS_SOFT_RETRY_SECONDS", 4 * 3600)))


# ---- arriving --------------------------------------------------------------------------------


def receive_report(raw: bytes) -> BounceReport | None:
    """Store a delivery report sent to one of our return paths and queue it; None when it
    names no return path of ours (or a forged one)."""
    token = bounce_reports.verp_token_in(raw)
    ref = verp.read(token) if token else None
    if ref is None:
        log.info("a bounce without a valid return path of ours was dropped")
        return None
    key = _message_id(raw)
    return _store(ref.account_id, BounceVia.REPORT, raw[:MAX_STORED], token, key)


def _message_id(raw: bytes) -> str:
    from email.parser import BytesHeaderParser

    try:
        value = BytesHeaderParser().parsebytes(raw[:65536]).get("Message-ID", "")
    except Exception:  # a broken header block: no key, the report is still kept
        return ""
    return str(value or "").strip().strip("<>")[:250]


def receive_service_event(event: Any, esp_name: str) -> BounceReport | None:
    """A django-anymail tracking event: kept as JSON when it is a bounce, complaint,
    deferral or unsubscribe of an email we sent."""
    if event.event_type not in SERVICE_KINDS:
        return None
    metadata = getattr(event, "metadata", None) or {}
    token = str(metadata.get("crm_ref", "") or "")
    ref = verp.read(token) if token else None
    if ref is None:
        ref = _latest_send_to(str(event.recipient or ""))
        token = verp.token(ref.account_id, ref.kind, ref.id) if ref else ""
    if ref is None:
        log.info("%s event for an address we did not email: dropped", esp_name)
        return None
    data = {
        "service": esp_name,
        "event_type": event.event_type,
        "recipient": str(event.recipient or ""),
        "reject_reason": str(getattr(event, "reject_reason", "") or ""),
        "description": str(getattr(event, "description", "") or ""),
        "mta_response": str(getattr(event, "mta_response", "") or ""),
        "message_id": str(getattr(event, "message_id", "") or ""),
    }
    event_id = str(getattr(event, "event_id", "") or "")
    key = f"{esp_name}:{event_id}" if event_id else ""
    return _store(ref.account_id, BounceVia.SERVICE, json.dumps(data).encode(), token, key)


def _latest_send_to(address: str) -> verp.Ref | None:
    """Without our reference (a service that drops metadata): the newest email we sent to
    this address in the last 60 days, in whichever account sent it."""
    if not address:
        return None
    since = timezone.now() - timedelta(days=60)
    with rls_bypass():
        found = [
            (sent_at, verp.Ref(account_id=account_id, kind=kind, id=pk))
            for kind, model in ((verp.DRIP, Send), (verp.CAMPAIGN, Recipient))
            for account_id, pk, sent_at in model.objects.filter(  # type: ignore[attr-defined]
                to_address__iexact=address, sent_at__gte=since
            )
            .order_by("-sent_at")
            .values_list("account_id", "pk", "sent_at")[:1]
        ]
    dated = [(at, ref) for at, ref in found if at is not None]
    return max(dated, key=lambda pair: pair[0])[1] if dated else None


def status_in(text: str) -> str:
    """The first enhanced status code (5.1.1) in a service's words, or ""."""
    found = _STATUS.search(text)
    return found.group(1) if found else ""


def _store(account_id: int, via: str, raw: bytes, token: str, key: str) -> BounceReport:
    """Keep it and queue it; a report already kept (same Message-ID or event id for the
    same return path) is returned as it is, so a repeat counts once."""
    from drips.tasks import process_bounce

    with tenant_context(account_id):
        if key:
            found = (
                BounceReport.objects.for_account(account_id)
                .filter(dedupe_key=key, verp_token=token[:120])
                .first()
            )
            if found is not None:
                return found
        report = BounceReport.objects.create(
            account_id=account_id, via=via, raw=raw, verp_token=token[:120], dedupe_key=key
        )
    transaction.on_commit(lambda: process_bounce.delay(account_id=account_id, report_id=report.pk))
    return report


# ---- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    kind: str  # hard | soft | delayed | complaint | unsubscribed | none
    recipient: str
    status: str
    diagnostic: str


def read(report: BounceReport) -> Reading:
    raw = bytes(report.raw)
    if report.via == BounceVia.REPORT:
        found = bounce_reports.parse(raw)
        return Reading(found.kind, found.recipient, found.status, found.diagnostic)
    data = json.loads(raw.decode())
    kind = SERVICE_KINDS.get(data.get("event_type", ""), "none")
    said = f"{data.get('mta_response', '')} {data.get('description', '')}".strip()
    status = status_in(said)
    if kind == "hard" and status.startswith("4."):
        kind = "soft"  # the service gave up on a temporary failure
    return Reading(kind, data.get("recipient", ""), status, said[:300] or kind)


@dataclass(frozen=True)
class Target:
    contact: Contact
    email: Email | None
    send: Send | None
    recipient: Recipient | None


def target_of(report: BounceReport) -> Target | None:
    ref = verp.read(report.verp_token)
    if ref is None or ref.account_id != report.account_id:
        return None
    row: Send | Recipient | None
    if ref.kind == verp.DRIP:
        row = Send.objects.for_account(report.account_id).filter(pk=ref.id).first()
    else:
        row = Recipient.objects.for_account(report.account_id).filter(pk=ref.id).first()
    if row is None:
        return None
    contact = Contact.objects.for_account(report.account_id).filter(pk=row.contact_id).first()
    if contact is None:
        return None
    email = contact.emails.filter(address__iexact=row.to_address).first()
    return Target(
        contact=contact, email=email,
        send=row if isinstance(row, Send) else None,
        recipient=row if isinstance(row, Recipient) else None,
    )  # fmt: skip


def process(report: BounceReport) -> str:
    """Act on one stored report (once: a processed report is left alone)."""
    if report.processed_at is not None:
        return report.outcome
    reading = read(report)
    target = target_of(report)
    report.recipient = (reading.recipient or (target.email.address if target and target.email
                        else ""))[:254]  # fmt: skip
    report.status_code, report.diagnostic = reading.status[:20], reading.diagnostic[:300]
    outcome: str = BounceOutcome.IGNORED
    if target is not None and target.email is not None:
        report.contact = target.contact
        outcome = _act(reading, target, target.email)
    report.outcome, report.processed_at = outcome, timezone.now()
    report.save()
    return outcome


def _act(reading: Reading, target: Target, email: Email) -> str:
    why = " ".join(p for p in (reading.status, reading.diagnostic) if p)
    if reading.kind == "hard":
        mark_hard(email, why)
        return BounceOutcome.HARD
    if reading.kind == "soft":
        email.soft_bounces += 1
        email.save(update_fields=["soft_bounces"])
        if email.soft_bounces >= soft_limit():
            mark_hard(email, f"{email.soft_bounces} soft bounces in a row. {why}")
            return BounceOutcome.SOFT_LIMIT
        _send_again(target)
        return BounceOutcome.SOFT
    if reading.kind == "complaint":
        mark_complaint(email)
        return BounceOutcome.COMPLAINT
    if reading.kind == "unsubscribed":
        from drips import unsubscribe

        unsubscribe.unsubscribe(email, how="the email service's unsubscribe")
        return BounceOutcome.UNSUBSCRIBED
    if reading.kind == "delayed":
        return BounceOutcome.DELAYED
    return BounceOutcome.IGNORED


def _day() -> str:
    return timezone.localdate().isoformat()


def mark_hard(email: Email, why: str) -> bool:
    """Hard bounce: the address is dead. False when it already was (no second task)."""
    if email.status == EmailStatus.HARD_BOUNCE:
        return False
    email.status, email.status_changed_at = EmailStatus.HARD_BOUNCE, timezone.now()
    email.save(update_fields=["status", "status_changed_at"])
    contact = email.contact
    body = f"HardBounce: email to {email.address} bounced on {_day()}. {why}"
    note_add(contact=contact, actor=None, kind=NoteKind.SYSTEM, body=body[:2000])
    task_create(account_id=email.account_id, title=HARD_TASK, due_on=timezone.localdate(),
                actor=None, about=contact,
                notes=f"{email.address} bounced ({why[:200]}). A changed address can mean "
                "they moved: call and ask for the new one.")  # fmt: skip
    return True


def mark_complaint(email: Email) -> None:
    """They marked our email as spam: no more email, no automation of any kind."""
    from drips.sequences import stop_all

    contact = email.contact
    if email.status != EmailStatus.COMPLAINT:
        email.status, email.status_changed_at = EmailStatus.COMPLAINT, timezone.now()
        email.save(update_fields=["status", "status_changed_at"])
        note_add(contact=contact, actor=None, kind=NoteKind.SYSTEM,
                 body=f"Complaint: {email.address} marked our email as spam on {_day()}. "
                 "Email and every automation stopped.")  # fmt: skip
    stop_all(contact, reason=f"Complaint from {email.address}")
    if not contact.stop_automations:
        contact.stop_automations = True
        contact.save(update_fields=["stop_automations", "updated_at"])


def _send_again(target: Target) -> None:
    """A soft bounce: the same email goes out again later (same row, so never twice at once)."""
    from drips.tasks import deliver_campaign_email, deliver_email

    countdown = int(soft_retry_after().total_seconds())
    if target.send is not None and target.send.status == SendStatus.SENT:
        send = target.send
        send.status, send.dispatched_at = SendStatus.QUEUED, timezone.now() + soft_retry_after()
        send.reason, send.claimed_at = "Soft bounce: sending again", None
        send.save(update_fields=["status", "dispatched_at", "reason", "claimed_at"])
        account_id, pk = send.account_id, send.pk
        retry = {"account_id": account_id, "send_id": pk}
        transaction.on_commit(lambda: deliver_email.apply_async(kwargs=retry, countdown=countdown))
    elif target.recipient is not None and target.recipient.status == RecipientStatus.SENT:
        row = target.recipient
        row.status, row.reason = RecipientStatus.QUEUED, "Soft bounce: sending again"
        row.save(update_fields=["status", "reason"])
        account_id, pk = row.account_id, row.pk
        kwargs = {"account_id": account_id, "recipient_id": pk}
        transaction.on_commit(
            lambda: deliver_campaign_email.apply_async(kwargs=kwargs, countdown=countdown)
        )
