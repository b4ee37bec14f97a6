"""What Twilio calls: the hotline's texts and calls, and click-to-dial.

Each handler stores the event first, answers with TwiML at once, and leaves the rest
(capture, Lookup, notifications, texts) to the worker, so callers never hear us think."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Gather, VoiceResponse

from callcapture import listings, texting
from callcapture.models import (
    BridgeCall,
    Direction,
    HotlineEvent,
    HotlineKind,
    ListingCode,
    MessageStatus,
    TextMessage,
    TwilioConnection,
)
from callcapture.tasks import after_hotline_event, log_bridge_call, send_text_message
from callcapture.webhooks import Hotline, bridge_webhook, hotline_webhook, twiml
from contacts.selectors import person_reached_at

VOICE = "Polly.Joanna"
_CODE = re.compile(r"^\D{0,12}?(\d{3,6})\D{0,6}$")
# Twilio's stand-ins when there is no caller ID.
ANONYMOUS = {"", "anonymous", "restricted", "unknown", "+266696687", "+86282452253", "+7378742833"}
MAX_TEXT = 1600


def _clean(value: str, limit: int) -> str:
    """Text as Twilio relayed it, minus what Postgres refuses (NUL) and other control
    characters a phone never meant to send."""
    return "".join(c for c in value if c >= " " or c in "\n\t")[:limit]


def _caller(request: HttpRequest) -> str:
    number = _clean(request.POST.get("From", ""), 40).strip()
    return "" if number.lower() in ANONYMOUS else number[:20]


def _event(
    request: HttpRequest, hotline: Hotline, kind: str, sid_field: str
) -> tuple[HotlineEvent, bool]:
    """The event for this webhook, stored now; (event, True) when Twilio repeats itself."""
    sid = _clean(request.POST.get(sid_field, ""), 64).strip()
    account_id = hotline.number.account_id
    values = {
        "from_number": _caller(request),
        "to_number": hotline.number.e164,
        "body": _clean(request.POST.get("Body", ""), MAX_TEXT),
    }
    if sid:
        found = HotlineEvent.objects.for_account(account_id).filter(kind=kind, sid=sid).first()
        if found is not None:
            return found, True
    try:
        with transaction.atomic():
            event = HotlineEvent.objects.create(
                account_id=account_id, kind=kind, sid=sid or f"no-sid-{id(request)}", **values
            )
    except IntegrityError:  # the same delivery, twice at once
        return HotlineEvent.objects.for_account(account_id).get(kind=kind, sid=sid), True
    return event, False


CODE_WAIT = 60  # seconds a caller has to enter a code before the agent hears of the call


def _after(event: HotlineEvent, *, wait: int = 0) -> None:
    transaction.on_commit(
        lambda: after_hotline_event.apply_async(
            kwargs={"account_id": event.account_id, "event_id": event.pk}, countdown=wait
        )
    )


def listing_for(account_id: int, code: str) -> ListingCode | None:
    return ListingCode.objects.for_account(account_id).filter(code=code, is_active=True).first()


# ---- texts ---------------------------------------------------------------------------------


@hotline_webhook
def sms(request: HttpRequest, hotline: Hotline) -> HttpResponse:
    reply = MessagingResponse()
    event, repeated = _event(request, hotline, HotlineKind.TEXT, "MessageSid")
    if repeated:
        return twiml(reply)  # answered the first time
    account_id, sender = event.account_id, event.from_number
    if not sender:
        event.outcome = "no caller id"
        event.save(update_fields=["outcome"])
        return twiml(reply)
    word = texting.keyword(event.body)
    if word in texting.STOP_WORDS:
        texting.record_stop(account_id, sender, word)
        event.outcome = "stop"
        event.save(update_fields=["outcome"])
        return twiml(reply)  # Twilio confirms the opt-out itself
    if word in texting.START_WORDS:
        texting.record_consent(account_id, sender, "texted START", restart=True)
        event.outcome = "start"
        event.save(update_fields=["outcome"])
        return twiml(reply)
    texting.record_consent(account_id, sender, "texted us first")
    stopped = texting.is_stopped(account_id, sender)
    person = person_reached_at(account_id, phone_digits=sender.lstrip("+"))
    if word in texting.HELP_WORDS:
        event.outcome = "help"
        answer = listings.help_text(hotline.number.account)
    else:
        match = _CODE.match(event.body.strip()) if len(event.body) <= 40 else None
        listing = listing_for(account_id, match.group(1)) if match else None
        if listing is not None:
            event.code, event.listing, event.outcome = listing.code, listing, "flyer texted"
            answer = listings.flyer_text(listing)
        elif match:
            event.code, event.outcome = match.group(1), "unknown code"
            answer = (
                f"Sorry, {match.group(1)} is not one of our listing codes. Text the code "
                "shown on the sign to get the home's flyer."
            )
        else:
            event.outcome = "message"
            answer = ""
            TextMessage.objects.create(
                account_id=account_id, contact=person, direction=Direction.INBOUND,
                body=event.body or "(empty text)", from_number=sender,
                to_number=hotline.number.e164, sid=event.sid, status=MessageStatus.RECEIVED,
            )  # fmt: skip
    event.save(update_fields=["code", "listing", "outcome"])
    if answer and not stopped:
        reply.message(answer)
        texting.reply_text(account=hotline.number.account, number=hotline.number, to=sender,
                           body=answer, contact=person)  # fmt: skip
    _after(event)
    return twiml(reply)


@hotline_webhook
def sms_status(request: HttpRequest, hotline: Hotline) -> HttpResponse:
    """Delivery reports for texts we sent."""
    sid = request.POST.get("MessageSid", "")[:64]
    status = request.POST.get("MessageStatus", "")
    mapping = {"delivered": MessageStatus.DELIVERED, "undelivered": MessageStatus.FAILED,
               "failed": MessageStatus.FAILED, "sent": MessageStatus.SENT}  # fmt: skip
    if sid and status in mapping:
        TextMessage.objects.for_account(hotline.number.account_id).filter(sid=sid).update(
            status=mapping[status], error=request.POST.get("ErrorCode", "")[:200]
        )
    return HttpResponse(status=204)


# ---- calls -----------------------------------------------------------------------------------


def _gather_code(response: VoiceResponse, attempt: int, prompt: str) -> None:
    gather = Gather(
        input="dtmf",
        num_digits=6,
        finish_on_key="#",
        timeout=6,
        action=f"{reverse('twilio_voice_code')}?try={attempt}",
        method="POST",
    )
    gather.say(prompt, voice=VOICE)
    response.append(gather)


@hotline_webhook
def voice(request: HttpRequest, hotline: Hotline) -> HttpResponse:
    event, repeated = _event(request, hotline, HotlineKind.CALL, "CallSid")
    response = VoiceResponse()
    again = request.GET.get("again") == "1"
    if not repeated and not again:
        if not event.from_number:
            event.outcome = "no caller id"
            event.save(update_fields=["outcome"])
        _after(event, wait=CODE_WAIT)
    greeting = listings.greeting(hotline.number.account) if not again else ""
    _gather_code(
        response,
        1,
        f"{greeting} Enter the listing code from the sign, then press pound. "
        "To speak with the agent, press zero and pound.",
    )
    response.say("We did not get a code. Goodbye, and thanks for calling.", voice=VOICE)
    return twiml(response)


@hotline_webhook
def voice_code(request: HttpRequest, hotline: Hotline) -> HttpResponse:
    account_id = hotline.number.account_id
    digits = re.sub(r"\D", "", request.POST.get("Digits", ""))[:6]
    attempt = 2 if request.GET.get("try") == "2" else 1
    event, _ = _event(request, hotline, HotlineKind.CALL, "CallSid")
    response = VoiceResponse()
    if digits in ("0", ""):
        return twiml(_connect(response, hotline, event))
    listing = listing_for(account_id, digits)
    if listing is None:
        event.code, event.outcome = digits, "unknown code"
        event.save(update_fields=["code", "outcome"])
        if attempt == 1:
            _gather_code(response, 2, f"Sorry, {' '.join(digits)} is not one of our listing "
                         "codes. Please enter the code again, then press pound.")  # fmt: skip
            response.redirect(f"{reverse('twilio_voice')}?again=1", method="POST")
        else:
            response.say("Sorry, we could not find that code either.", voice=VOICE)
            response.redirect(f"{reverse('twilio_voice')}?again=1", method="POST")
        return twiml(response)
    first_time = event.listing_id != listing.pk
    event.code, event.listing, event.outcome = listing.code, listing, "heard listing"
    event.save(update_fields=["code", "listing", "outcome"])
    if first_time:
        _text_flyer(hotline, event, listing)
        _after(event)
    _describe(response, listing, texted=bool(event.from_number))
    response.say("Thanks for calling. Goodbye.", voice=VOICE)
    return twiml(response)


def _describe(response: VoiceResponse, listing: ListingCode, *, texted: bool) -> None:
    if listing.recording_url:
        response.play(listing.recording_url)
    else:
        response.say(listings.spoken(listing), voice=VOICE)
    menu = Gather(
        input="dtmf",
        num_digits=1,
        timeout=6,
        method="POST",
        action=f"{reverse('twilio_voice_menu')}?listing={listing.pk}",
    )
    first = "We have texted you a link to the flyer. " if texted else ""
    menu.say(
        f"{first}Press 1 to speak with the agent now, press 2 to hear this again, "
        "or press 3 for another listing.",
        voice=VOICE,
    )
    response.append(menu)


def _text_flyer(hotline: Hotline, event: HotlineEvent, listing: ListingCode) -> None:
    if not event.from_number or texting.is_stopped(event.account_id, event.from_number):
        return
    person = person_reached_at(event.account_id, phone_digits=event.from_number.lstrip("+"))
    message = TextMessage.objects.create(
        account_id=event.account_id, direction=Direction.OUTBOUND,
        body=listings.flyer_text(listing), from_number=hotline.number.e164,
        to_number=event.from_number, status=MessageStatus.QUEUED, contact=person,
    )  # fmt: skip
    transaction.on_commit(
        lambda: send_text_message.delay(account_id=event.account_id, message_id=message.pk)
    )


@hotline_webhook
def voice_menu(request: HttpRequest, hotline: Hotline) -> HttpResponse:
    event, _ = _event(request, hotline, HotlineKind.CALL, "CallSid")
    digit = request.POST.get("Digits", "")[:1]
    response = VoiceResponse()
    if digit == "1":
        return twiml(_connect(response, hotline, event))
    if digit == "2" and request.GET.get("listing", "").isdigit():
        listing = (
            ListingCode.objects.for_account(hotline.number.account_id)
            .filter(pk=int(request.GET["listing"]))
            .first()
        )
        if listing is not None:
            _describe(response, listing, texted=False)
            return twiml(response)
    if digit == "3":
        response.redirect(f"{reverse('twilio_voice')}?again=1", method="POST")
        return twiml(response)
    response.say("Thanks for calling. Goodbye.", voice=VOICE)
    response.hangup()
    return twiml(response)


def _connect(response: VoiceResponse, hotline: Hotline, event: HotlineEvent) -> VoiceResponse:
    agent = listings.agent_mobile(hotline.number.account_id)
    if not agent:
        response.say("The agent cannot take calls right now. We have your number and will "
                     "call you back soon. Goodbye.", voice=VOICE)  # fmt: skip
        return response
    event.outcome = "asked for the agent"
    event.save(update_fields=["outcome"])
    response.say("Connecting you with the agent now.", voice=VOICE)
    dial = response.dial(caller_id=event.from_number or hotline.number.e164, timeout=25)
    dial.number(agent)
    response.say("The agent could not answer. We have your number and will call you back.",
                 voice=VOICE)  # fmt: skip
    return response


# ---- click-to-dial ---------------------------------------------------------------------------


@bridge_webhook
def bridge(request: HttpRequest, call: BridgeCall, connection: TwilioConnection) -> HttpResponse:
    """The agent answered their mobile: connect the person, showing the agent's number."""
    response = VoiceResponse()
    name = call.contact.full_name or "your contact"
    response.say(f"Connecting you to {name}.", voice=VOICE)
    dial = response.dial(
        caller_id=call.from_number,
        action=reverse("twilio_bridge_done", args=[call.token]),
        method="POST",
        timeout=30,
    )
    dial.number(call.to_number)
    return twiml(response)


@bridge_webhook
def bridge_done(
    request: HttpRequest, call: BridgeCall, connection: TwilioConnection
) -> HttpResponse:
    status = request.POST.get("DialCallStatus", "")[:20]
    seconds = request.POST.get("DialCallDuration", "")
    duration = int(seconds) if seconds.isdigit() else 0
    updated = BridgeCall.objects.filter(pk=call.pk, logged=False).update(
        status=status or "completed", duration=duration, logged=True
    )
    if updated:  # once, whatever Twilio repeats
        log_bridge_call(call.pk, status, duration)
    response = VoiceResponse()
    response.hangup()
    return twiml(response)


@bridge_webhook
def bridge_status(
    request: HttpRequest, call: BridgeCall, connection: TwilioConnection
) -> HttpResponse:
    """The agent's leg: when they never answered, say so on the call."""
    status = request.POST.get("CallStatus", "")[:20]
    if status in ("busy", "no-answer", "failed", "canceled"):
        BridgeCall.objects.filter(pk=call.pk, logged=False).update(
            status=f"agent {status}", logged=True
        )
    return HttpResponse(status=204)
