"""Texting the hotline: signatures and routing, listing codes, caller capture and the
agent's alert, STOP / START / HELP, odd bodies, and Twilio's repeat deliveries."""

from __future__ import annotations

from django.core import mail

from callcapture.models import HotlineEvent, TextingStatus, TextMessage
from contacts.models import Contact, Note
from contacts.reachability import Channel, reach, reachable
from prospects.models import Lead
from tests.callcapture.conftest import AGENT_MOBILE, Hotline
from tests.callcapture.fake_twilio import FakeTwilio
from tests.contacts.people import make_person_in

TEXTER = "+17205550142"


def _person(hotline: Hotline, number: str = TEXTER) -> Contact:
    return Contact.objects.get(account=hotline.world.a, phones__e164=number)


# ---- who may call the webhook -----------------------------------------------------------


def test_unsigned_or_wrongly_signed_requests_are_refused(hotline: Hotline) -> None:
    params = {"MessageSid": "SMx", "From": TEXTER, "To": hotline.number, "Body": "999"}
    assert hotline.post("/twilio/sms/", params, signature="").status_code == 403
    assert hotline.post("/twilio/sms/", params, signature="bm90IGl0").status_code == 403
    # Signed with another account's token (Bravo's) for Alpha's number: refused.
    assert hotline.post("/twilio/sms/", params, token="bravo-twilio-token").status_code == 403
    assert not HotlineEvent.objects.filter(account=hotline.world.a, sid="SMx").exists()


def test_a_replayed_request_to_another_url_fails_the_signature(hotline: Hotline) -> None:
    params = {"CallSid": "CAx", "From": TEXTER, "To": hotline.number, "Digits": "999"}
    from twilio.request_validator import RequestValidator

    signed_for_voice = RequestValidator(hotline.token).compute_signature(
        "http://testserver/twilio/voice/", params
    )
    response = hotline.post("/twilio/voice/code/", params, signature=signed_for_voice)
    assert response.status_code == 403


def test_an_unknown_number_is_404_and_routing_never_trusts_the_body(hotline: Hotline) -> None:
    params = {"MessageSid": "SMy", "From": TEXTER, "To": "+15555550000", "Body": "999"}
    assert hotline.post("/twilio/sms/", params).status_code == 404
    assert hotline.client.get("/twilio/sms/").status_code == 405


def test_a_text_to_alphas_number_never_touches_bravo(hotline: Hotline) -> None:
    world = hotline.world
    before = Contact.objects.filter(account=world.b).count()
    hotline.sms("999", AccountSid=f"AC{world.b.pk:032d}")
    assert Contact.objects.filter(account=world.b).count() == before
    assert not HotlineEvent.objects.filter(account=world.b, sid="SM1").exists()
    assert _person(hotline).account_id == world.a.pk


# ---- codes and capture ------------------------------------------------------------------


def test_texting_a_code_answers_with_the_flyer_and_captures_a_prospect(
    hotline: Hotline, fake_twilio: FakeTwilio
) -> None:
    response = hotline.sms(" 999 ")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    text = response.content.decode()
    assert "123 alpha Main St" in text and "$425,000" in text and "3 bd" in text
    assert f"https://crm.example.com/f/{hotline.listing.flyer_token}/" in text
    person = _person(hotline)
    assert person.database == "prospects"
    assert person.lead_source == "Call capture"
    lead = Lead.objects.get(contact=person)
    assert lead.property_street == "123 alpha Main St"
    assert lead.source is not None and lead.source.key == "call_capture"
    assert "code 999" in lead.inquiry
    assert person.notes.filter(body__contains="Texted the hotline for 123 alpha Main St").exists()
    event = HotlineEvent.objects.get(account=hotline.world.a, sid="SM1")
    assert event.contact == person and event.outcome == "flyer texted"
    # The agent hears at once: an email and a text to their own mobile.
    assert mail.outbox[-1].subject.startswith("New call-capture lead")
    assert "(720) 555-0142 on 123 alpha Main St (code 999)" in mail.outbox[-1].body
    alerts = [r for r in fake_twilio.sent("Messages") if r.form["To"] == AGENT_MOBILE]
    assert len(alerts) == 1
    assert alerts[0].form["Body"].startswith("New call-capture lead: Caller (720) 555-0142")
    assert alerts[0].form["From"] == hotline.number


def test_twilios_repeat_delivery_makes_one_prospect_and_one_alert(
    hotline: Hotline, fake_twilio: FakeTwilio
) -> None:
    hotline.sms("999")
    again = hotline.sms("999")
    assert again.status_code == 200 and "<Message>" not in again.content.decode()
    assert Contact.objects.filter(account=hotline.world.a, phones__e164=TEXTER).count() == 1
    assert HotlineEvent.objects.filter(account=hotline.world.a, sid="SM1").count() == 1
    assert len(mail.outbox) == 1
    assert len([r for r in fake_twilio.sent("Messages") if r.form["To"] == AGENT_MOBILE]) == 1


def test_a_known_number_lands_on_the_existing_person(hotline: Hotline) -> None:
    known = make_person_in(hotline.world.a, first="Kim", last="Known", phones=["720-555-0142"])
    hotline.sms("999")
    assert _person(hotline) == known
    assert Contact.objects.filter(account=hotline.world.a, phones__e164=TEXTER).count() == 1
    assert known.notes.filter(body__contains="code 999").exists()
    assert known.database == "contacts"  # a person you know stays in contacts


def test_caller_name_comes_from_lookup_when_enabled(
    hotline: Hotline, fake_twilio: FakeTwilio
) -> None:
    from callcapture.models import TwilioConnection

    TwilioConnection.objects.filter(account=hotline.world.a).update(lookup_enabled=True)
    fake_twilio.caller_names[TEXTER] = "JANE Q DOE"
    hotline.sms("999")
    person = _person(hotline)
    assert (person.first_name, person.last_name) == ("Jane Q", "Doe")


def test_an_unknown_code_gets_a_polite_retry(hotline: Hotline) -> None:
    text = hotline.sms("123").content.decode()
    assert "Sorry, 123 is not one of our listing codes" in text
    event = HotlineEvent.objects.get(account=hotline.world.a, sid="SM1")
    assert (event.outcome, event.code, event.listing) == ("unknown code", "123", None)


def test_odd_bodies_are_handled(hotline: Hotline) -> None:
    for n, body in enumerate(["", "   ", "x" * 5000, "🏡 is 999 still for sale?", "\x00\r\n"]):
        response = hotline.sms(body, sid=f"SModd{n}", sender=f"+1720555{n:04d}")
        assert response.status_code == 200
    long_event = HotlineEvent.objects.get(account=hotline.world.a, sid="SModd2")
    assert len(long_event.body) == 1600
    thread = TextMessage.objects.filter(account=hotline.world.a, direction="in")
    assert thread.filter(body="(empty text)").exists()


def test_no_caller_id_logs_the_event_and_makes_nobody(hotline: Hotline) -> None:
    before = Contact.objects.filter(account=hotline.world.a).count()
    hotline.sms("999", sender="")
    assert HotlineEvent.objects.get(account=hotline.world.a, sid="SM1").outcome == "no caller id"
    assert Contact.objects.filter(account=hotline.world.a).count() == before


# ---- compliance -------------------------------------------------------------------------


def test_stop_stops_every_text_and_start_resumes(hotline: Hotline, fake_twilio: FakeTwilio) -> None:
    from django.core.exceptions import ValidationError

    from callcapture.texting import text_send

    hotline.sms("999")
    person = _person(hotline)
    assert reach(person, Channel.TEXT).ok
    response = hotline.sms("Stop", sid="SM2")
    assert "<Message>" not in response.content.decode()
    status = TextingStatus.objects.get(account=hotline.world.a, e164=TEXTER)
    assert status.stopped_at is not None and status.stop_keyword == "STOP"
    assert Note.objects.filter(contact=person, body__contains="Texted STOP").exists()
    assert not reach(person, Channel.TEXT).ok
    assert reach(person, Channel.TEXT).reason == "Texted STOP"
    assert reach(person, Channel.CALL).ok  # STOP is about texts only
    assert not reachable(Contact.objects.filter(pk=person.pk), Channel.TEXT).exists()
    try:
        text_send(contact=person, body="Still interested?", actor=hotline.world.alice)
    except ValidationError as exc:
        assert "STOP" in " ".join(exc.messages)
    else:
        raise AssertionError("a text to a stopped number was queued")
    # A code texted while stopped is captured but gets no reply.
    assert "<Message>" not in hotline.sms("999", sid="SM3").content.decode()
    hotline.sms("START", sid="SM4")
    assert TextingStatus.objects.get(account=hotline.world.a, e164=TEXTER).stopped_at is None
    assert reach(person, Channel.TEXT).ok


def test_every_stop_word_counts(hotline: Hotline) -> None:
    for n, word in enumerate(["STOPALL", "unsubscribe", "Cancel", "END", "quit."]):
        sender = f"+1720555{n + 100:04d}"
        hotline.sms(word, sid=f"SMw{n}", sender=sender)
        assert TextingStatus.objects.get(account=hotline.world.a, e164=sender).is_stopped, word


def test_help_answers_with_the_agents_contact(hotline: Hotline) -> None:
    text = hotline.sms("HELP").content.decode()
    assert "Alice Agent" in text and "(970) 555-0100" in text and "alice@example.com" in text
    assert "STOP" in text


def test_texting_us_first_is_recorded_as_consent(hotline: Hotline) -> None:
    hotline.sms("Is the house on Main still available?")
    status = TextingStatus.objects.get(account=hotline.world.a, e164=TEXTER)
    assert status.consent_at is not None and status.consent_source == "texted us first"
    reply = TextMessage.objects.get(account=hotline.world.a, direction="in")
    assert reply.contact == _person(hotline)
