"""Texting rules: consent per number, STOP / START / HELP, quiet hours, and sending a
text (a row first, then the worker) only when the person and the number allow it."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from callcapture.models import (
    Direction,
    MessageStatus,
    TextingStatus,
    TextMessage,
    TwilioConnection,
    TwilioNumber,
)
from contacts.models import Contact, NoteKind, Phone
from contacts.phones import parse_phone
from contacts.reachability import Channel, reach
from contacts.services import note_add
from crm.models import Account, User

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "YES", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}
MAX_BODY = 1600  # Twilio's limit for one message (it splits it into segments)


def keyword(body: str) -> str:
    """The compliance keyword a text is, if it is one ("stop" and " Stop. " count)."""
    word = body.strip().strip(".!").upper()
    if word in STOP_WORDS | START_WORDS | HELP_WORDS:
        return word
    return ""


def _status(account_id: int, e164: str) -> TextingStatus:
    found, _ = TextingStatus.objects.for_account(account_id).get_or_create(
        account_id=account_id, e164=e164
    )
    return found


def _people_with(account_id: int, e164: str) -> list[Contact]:
    return list(
        Contact.objects.for_account(account_id)
        .alive()
        .filter(phones__digits=e164.lstrip("+"), phones__e164=e164, merged_into__isnull=True)
        .distinct()
    )


def record_stop(account_id: int, e164: str, word: str) -> TextingStatus:
    status = _status(account_id, e164)
    if status.stopped_at is None:
        status.stopped_at, status.stop_keyword = timezone.now(), word[:20]
        status.save(update_fields=["stopped_at", "stop_keyword", "updated_at"])
        day = timezone.localdate().isoformat()
        body = f"Texted {word} from {e164} on {day}: no more texts to this number."
        for person in _people_with(account_id, e164):
            note_add(contact=person, actor=None, kind=NoteKind.SYSTEM, body=body)
    return status


def record_consent(account_id: int, e164: str, source: str, *, restart: bool = False) -> None:
    """Consent to text: texting us first counts (for replies); START also lifts a STOP."""
    status = _status(account_id, e164)
    changed = []
    if status.consent_at is None or restart:
        status.consent_at, status.consent_source = timezone.now(), source[:40]
        changed += ["consent_at", "consent_source"]
    if restart and status.stopped_at is not None:
        status.stopped_at, status.stop_keyword = None, ""
        changed += ["stopped_at", "stop_keyword"]
        day = timezone.localdate().isoformat()
        body = f"Texted START from {e164} on {day}: texts allowed again."
        for person in _people_with(account_id, e164):
            note_add(contact=person, actor=None, kind=NoteKind.SYSTEM, body=body)
    if changed:
        status.save(update_fields=[*changed, "updated_at"])


def is_stopped(account_id: int, e164: str) -> bool:
    return (
        TextingStatus.objects.for_account(account_id)
        .filter(e164=e164, stopped_at__isnull=False)
        .exists()
    )


def stopped_phones() -> Q:
    """Phones whose number texted STOP to the account: the reachability rule for texts."""
    return Q(
        Exists(
            TextingStatus.objects.filter(
                account_id=OuterRef("account_id"), e164=OuterRef("e164"), stopped_at__isnull=False
            )
        )
    )


def in_quiet_hours(connection: TwilioConnection, tz_name: str, now: datetime | None = None) -> bool:
    try:
        zone = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = (now or timezone.now()).astimezone(zone).time()
    start, end = connection.quiet_from, connection.quiet_until
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def quiet_hours_end(connection: TwilioConnection, tz_name: str) -> datetime:
    zone = zoneinfo.ZoneInfo(tz_name) if tz_name else zoneinfo.ZoneInfo("UTC")
    local = timezone.now().astimezone(zone)
    until: time = connection.quiet_until
    end = local.replace(hour=until.hour, minute=until.minute, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end


def sending_number(account_id: int) -> TwilioNumber | None:
    return TwilioNumber.objects.for_account(account_id).select_related("connection").first()


def text_send(
    *,
    contact: Contact,
    body: str,
    actor: User | None,
    automated: bool = False,
    to: Phone | None = None,
) -> TextMessage:
    """Queue a text to the person (their mobile unless ``to`` says which phone), after the
    reachability rules and the number's STOP; the worker sends it."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write the message first."})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": f"Keep a text under {MAX_BODY} characters."})
    number = sending_number(contact.account_id)
    if number is None:
        raise ValidationError("Connect a Twilio number first (Call capture → Settings).")
    found = reach(contact, Channel.TEXT, automated=automated)
    if not found.ok:
        raise ValidationError(f"Cannot text {contact}: {found.reason}.")
    phone = to or found.target
    if phone is None or not phone.e164 or phone.status != "ok":
        raise ValidationError(f"Cannot text {contact}: no usable mobile number.")
    if is_stopped(contact.account_id, phone.e164):
        raise ValidationError(f"{phone.display} texted STOP: no texts to this number.")
    with transaction.atomic():
        message = TextMessage.objects.create(
            account_id=contact.account_id, contact=contact, direction=Direction.OUTBOUND,
            body=body, from_number=number.e164, to_number=phone.e164,
            status=MessageStatus.QUEUED, automated=automated, sent_by=actor,
        )  # fmt: skip
        from callcapture.tasks import send_text_message

        transaction.on_commit(
            lambda: send_text_message.delay(account_id=contact.account_id, message_id=message.pk)
        )
    return message


def reply_text(
    *, account: Account, number: TwilioNumber, to: str, body: str, contact: Contact | None
) -> TextMessage:
    """A reply given in the webhook's own answer (TwiML), recorded on the thread."""
    return TextMessage.objects.create(
        account=account, contact=contact, direction=Direction.OUTBOUND, body=body,
        from_number=number.e164, to_number=to, status=MessageStatus.SENT, sent_at=timezone.now(),
    )  # fmt: skip


def normalise(raw: str, region: str = "US") -> str:
    parsed = parse_phone(raw, region)
    return parsed.e164 or ""
