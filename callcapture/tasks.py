"""Worker side of call capture: capture and notify, send a text exactly once, start a
click-to-dial call, and log how it went."""

from __future__ import annotations

import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from callcapture import capture, texting, twilio_api
from callcapture.models import (
    BridgeCall,
    HotlineEvent,
    MessageStatus,
    TextMessage,
    TwilioConnection,
    TwilioNumber,
)
from contacts.models import NoteKind, Phone, PhoneStatus
from contacts.services import contact_log, phone_set_status
from crm.celery import tenant_task
from crm.models import Account

log = logging.getLogger(__name__)


def _site(path: str) -> str:
    from django.conf import settings

    return settings.SITE_URL.rstrip("/") + path


@tenant_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def after_hotline_event(*, account_id: int, event_id: int) -> str:
    event = (
        HotlineEvent.objects.for_account(account_id)
        .select_related("listing", "contact", "account")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return "gone"
    person = capture.capture_and_notify(event)
    return "captured" if person else "no caller id"


@tenant_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def send_text_message(*, account_id: int, message_id: int) -> str:
    """Send one queued text; a retry or a second worker finds it no longer queued."""
    with transaction.atomic():
        message = (
            TextMessage.objects.for_account(account_id)
            .select_for_update(skip_locked=True)
            .filter(pk=message_id, status=MessageStatus.QUEUED)
            .first()
        )
        if message is None:
            return "not queued"
        number = (
            TwilioNumber.objects.for_account(account_id)
            .select_related("connection")
            .filter(e164=message.from_number)
            .first()
        )
        refusal = _refusal(message, number)
        if refusal:
            message.status, message.error = MessageStatus.REFUSED, refusal
            message.save(update_fields=["status", "error"])
            return "refused"
        assert number is not None
        if message.automated:
            account = Account.objects.get(pk=account_id)
            if texting.in_quiet_hours(number.connection, account.time_zone):
                later = texting.quiet_hours_end(number.connection, account.time_zone)
                transaction.on_commit(
                    lambda: send_text_message.apply_async(
                        kwargs={"account_id": account_id, "message_id": message_id}, eta=later
                    )
                )
                return "quiet hours"
        # Claim it before talking to Twilio: a crash after this point never sends twice.
        message.status = MessageStatus.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["status", "sent_at"])
    sent = twilio_api.send_text(
        number.connection,
        from_=message.from_number,
        to=message.to_number,
        body=message.body,
        callback=_site(reverse("twilio_sms_status")),
    )
    if sent.ok:
        TextMessage.objects.filter(pk=message.pk).update(sid=sent.sid)
        return "sent"
    TextMessage.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, error=sent.error)
    if sent.bad_number:
        _mark_bad(account_id, message.to_number)
    if sent.code == twilio_api.UNSUBSCRIBED_CODE:
        texting.record_stop(account_id, message.to_number, "STOP")
    return "failed"


def _refusal(message: TextMessage, number: TwilioNumber | None) -> str:
    if number is None:
        return "The Twilio number this was to go from is no longer connected."
    if texting.is_stopped(message.account_id, message.to_number):
        return "This number texted STOP."
    bad = Phone.objects.for_account(message.account_id).filter(
        e164=message.to_number, status__in=[PhoneStatus.BAD, PhoneStatus.DNC]
    )
    if message.contact_id and bad.filter(contact_id=message.contact_id).exists():
        return "The number is marked BAD or DNC."
    return ""


def _mark_bad(account_id: int, e164: str) -> None:
    phones = Phone.objects.for_account(account_id).filter(digits=e164.lstrip("+"), e164=e164)
    for phone in phones.filter(status=PhoneStatus.OK):
        phone_set_status(phone=phone, status=PhoneStatus.BAD, actor=None)


@tenant_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=2)
def start_bridge_call(*, account_id: int, call_id: int) -> str:
    call = BridgeCall.objects.for_account(account_id).filter(pk=call_id, sid="").first()
    if call is None:
        return "gone"
    connection = TwilioConnection.objects.for_account(account_id).first()
    if connection is None:
        BridgeCall.objects.filter(pk=call.pk).update(status="no Twilio connection")
        return "no connection"
    sent = twilio_api.start_call(
        connection,
        from_=call.from_number,
        to=call.agent_number,
        url=_site(reverse("twilio_bridge", args=[call.token])),
        callback=_site(reverse("twilio_bridge_status", args=[call.token])),
    )
    if sent.ok:
        BridgeCall.objects.filter(pk=call.pk).update(sid=sent.sid, status="ringing you")
        return "started"
    BridgeCall.objects.filter(pk=call.pk).update(status="failed", logged=True)
    log.warning("click-to-dial %s failed: %s", call.pk, sent.error)
    return "failed"


def log_bridge_call(call_id: int, status: str, duration: int) -> None:
    """A finished click-to-dial call as a note; a connected one also resets the call-down
    clock (last contacted)."""
    call = BridgeCall.objects.select_related("contact", "user").get(pk=call_id)
    minutes, seconds = divmod(duration, 60)
    length = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    if status == "completed" and duration > 0:
        kind, body = NoteKind.CALL_CONNECTED, f"Click-to-dial call to {call.to_number}: {length}."
    else:
        what = {"busy": "busy", "no-answer": "no answer", "failed": "failed"}.get(status, status)
        kind, body = NoteKind.NO_ANSWER, f"Click-to-dial call to {call.to_number}: {what}."
    contact_log(contact=call.contact, actor=call.user, kind=kind, body=body)
