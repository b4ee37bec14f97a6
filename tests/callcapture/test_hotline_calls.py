"""Calling the hotline: every IVR path, the flyer text, capture, no caller ID."""

from __future__ import annotations

from django.core import mail

from callcapture.models import HotlineEvent
from contacts.models import Contact
from prospects.models import Lead
from tests.callcapture.conftest import AGENT_MOBILE, Hotline
from tests.callcapture.fake_twilio import FakeTwilio

CALLER = "+17205550142"


def test_the_greeting_gathers_a_code_and_logs_the_call(hotline: Hotline) -> None:
    twiml = hotline.call().content.decode()
    assert "<Gather" in twiml and 'action="/twilio/voice/code/?try=1"' in twiml
    assert "Alice Agent" in twiml and "press pound" in twiml
    event = HotlineEvent.objects.get(account=hotline.world.a, sid="CA1", kind="call")
    assert event.from_number == CALLER
    # The caller is captured even before (or without) a code.
    assert Contact.objects.filter(account=hotline.world.a, phones__e164=CALLER).exists()


def test_entering_a_code_describes_the_home_texts_the_flyer_and_offers_the_agent(
    hotline: Hotline, fake_twilio: FakeTwilio
) -> None:
    hotline.call()
    twiml = hotline.call("/twilio/voice/code/", query="try=1", Digits="999").content.decode()
    assert "123 alpha Main St. Offered at 425,000 dollars." in twiml
    assert "3 bedrooms and 2.5 bathrooms" in twiml
    assert "We have texted you a link to the flyer" in twiml
    assert f'action="/twilio/voice/menu/?listing={hotline.listing.pk}"' in twiml
    flyers = [r for r in fake_twilio.sent("Messages") if r.form["To"] == CALLER]
    assert len(flyers) == 1 and hotline.listing.flyer_token in flyers[0].form["Body"]
    person = Contact.objects.get(account=hotline.world.a, phones__e164=CALLER)
    assert Lead.objects.get(contact=person).property_street == "123 alpha Main St"
    assert person.notes.filter(body__contains="Called the hotline for 123 alpha Main St").exists()
    assert "on 123 alpha Main St (code 999)" not in mail.outbox[0].body  # first alert: the call
    # Hearing it again texts nothing more.
    hotline.call("/twilio/voice/menu/", query=f"listing={hotline.listing.pk}", Digits="2")
    assert len([r for r in fake_twilio.sent("Messages") if r.form["To"] == CALLER]) == 1


def test_a_recording_plays_instead_of_text_to_speech(hotline: Hotline) -> None:
    hotline.listing.recording_url = "https://example.com/999.mp3"
    hotline.listing.save()
    twiml = hotline.call("/twilio/voice/code/", query="try=1", Digits="999").content.decode()
    assert "<Play>https://example.com/999.mp3</Play>" in twiml


def test_an_unknown_code_gets_one_polite_retry_then_the_menu(hotline: Hotline) -> None:
    first = hotline.call("/twilio/voice/code/", query="try=1", Digits="123").content.decode()
    assert "Sorry, 1 2 3 is not one of our listing codes" in first
    assert 'action="/twilio/voice/code/?try=2"' in first
    second = hotline.call("/twilio/voice/code/", query="try=2", Digits="456").content.decode()
    assert "could not find that code either" in second
    assert "<Redirect" in second and "/twilio/voice/?again=1" in second
    menu = hotline.call("/twilio/voice/", query="again=1").content.decode()
    assert "Enter the listing code" in menu and "Thanks for calling" not in menu.split("<Gather")[0]


def test_pressing_one_connects_the_agent_with_the_callers_number(hotline: Hotline) -> None:
    twiml = hotline.call(
        "/twilio/voice/menu/", query=f"listing={hotline.listing.pk}", Digits="1"
    ).content.decode()
    assert f'<Dial callerId="{CALLER}"' in twiml and f"<Number>{AGENT_MOBILE}</Number>" in twiml
    zero = hotline.call("/twilio/voice/code/", query="try=1", Digits="0").content.decode()
    assert f"<Number>{AGENT_MOBILE}</Number>" in zero


def test_without_an_agent_mobile_the_caller_is_promised_a_call_back(hotline: Hotline) -> None:
    hotline.world.alice.mobile_phone = ""
    hotline.world.alice.save()
    twiml = hotline.call("/twilio/voice/menu/", query="listing=1", Digits="1").content.decode()
    assert "<Dial" not in twiml and "call you back" in twiml


def test_other_keys_say_goodbye_and_three_starts_over(hotline: Hotline) -> None:
    bye = hotline.call("/twilio/voice/menu/", query="listing=1", Digits="9").content.decode()
    assert "<Hangup" in bye
    again = hotline.call("/twilio/voice/menu/", query="listing=1", Digits="3").content.decode()
    assert "/twilio/voice/?again=1" in again


def test_no_caller_id_is_logged_without_a_prospect(
    hotline: Hotline, fake_twilio: FakeTwilio
) -> None:
    before = Contact.objects.filter(account=hotline.world.a).count()
    hotline.call(sender="anonymous")
    hotline.call("/twilio/voice/code/", sender="anonymous", query="try=1", Digits="999")
    event = HotlineEvent.objects.get(account=hotline.world.a, sid="CA1")
    assert event.outcome == "heard listing" and event.from_number == ""
    assert Contact.objects.filter(account=hotline.world.a).count() == before
    assert fake_twilio.sent("Messages") == []


def test_a_repeated_call_webhook_captures_once(hotline: Hotline) -> None:
    hotline.call()
    hotline.call()
    assert Contact.objects.filter(account=hotline.world.a, phones__e164=CALLER).count() == 1
    assert HotlineEvent.objects.filter(account=hotline.world.a, kind="call").count() == 1
    assert len(mail.outbox) == 1
