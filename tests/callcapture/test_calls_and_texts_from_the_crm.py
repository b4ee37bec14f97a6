"""Click-to-dial and texting a person from their record, against the fake Twilio; the
settings, listing codes, the flyer and the sign rider."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from callcapture.models import BridgeCall, TextMessage, TwilioConnection, TwilioNumber
from contacts.models import Contact, Phone
from contacts.services import phone_set_status
from tests.callcapture.conftest import AGENT_MOBILE, Hotline
from tests.callcapture.fake_twilio import FakeTwilio
from tests.conftest import login
from tests.contacts.people import make_person_in

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"


def _alice(hotline: Hotline) -> Client:
    return login(hotline.client, hotline.world.alice.email)


def _dial(hotline: Hotline, phone: Phone) -> Any:
    with hotline.capture(execute=True):
        return _alice(hotline).post(f"/callcapture/phones/{phone.pk}/dial/", follow=True)


def test_click_to_dial_rings_the_agent_then_connects_and_logs_the_call(
    hotline: Hotline, fake_twilio: FakeTwilio
) -> None:
    person = make_person_in(hotline.world.a, first="Dee", last="Dial", phones=["720-555-0199"])
    phone = person.phones.get()
    page = _dial(hotline, phone).content.decode()
    assert "Calling your mobile now" in page
    call = BridgeCall.objects.get(contact=person)
    started = fake_twilio.sent("Calls")
    assert len(started) == 1
    assert started[0].form["To"] == AGENT_MOBILE and started[0].form["From"] == hotline.number
    assert started[0].form["Url"] == f"https://crm.example.com/twilio/bridge/{call.token}/"
    assert call.sid.startswith("CA")
    # Twilio asks what to do once the agent answers: dial the person, showing our number.
    bridge = hotline.post(
        f"/twilio/bridge/{call.token}/", {"CallSid": call.sid, "To": AGENT_MOBILE}
    )
    twiml = bridge.content.decode()
    assert f'callerId="{hotline.number}"' in twiml and "<Number>+17205550199</Number>" in twiml
    hotline.post(
        f"/twilio/bridge/{call.token}/done/",
        {"CallSid": call.sid, "DialCallStatus": "completed", "DialCallDuration": "95"},
    )
    person.refresh_from_db()
    assert person.last_contacted_at is not None
    note = person.notes.get(kind="call_connected")
    assert "1 min 35 s" in note.body
    # Twilio repeating the callback logs nothing twice.
    hotline.post(
        f"/twilio/bridge/{call.token}/done/",
        {"CallSid": call.sid, "DialCallStatus": "completed", "DialCallDuration": "95"},
    )
    assert person.notes.filter(kind="call_connected").count() == 1


def test_an_unanswered_call_is_logged_without_resetting_the_clock(hotline: Hotline) -> None:
    person = make_person_in(hotline.world.a, first="Nora", last="Noanswer", phones=["720-555-0198"])
    _dial(hotline, person.phones.get())
    call = BridgeCall.objects.get(contact=person)
    hotline.post(f"/twilio/bridge/{call.token}/done/", {"DialCallStatus": "no-answer"})
    person.refresh_from_db()
    assert person.last_contacted_at is None
    assert person.notes.filter(kind="no_answer", body__contains="no answer").exists()


def test_bridge_webhooks_need_the_token_and_the_signature(hotline: Hotline) -> None:
    person = make_person_in(hotline.world.a, first="Sig", last="Check", phones=["720-555-0197"])
    _dial(hotline, person.phones.get())
    call = BridgeCall.objects.get(contact=person)
    assert hotline.post("/twilio/bridge/not-a-token/", {}).status_code == 404
    assert hotline.post(f"/twilio/bridge/{call.token}/", {}, signature="x").status_code == 403


def test_bad_and_dnc_numbers_refuse_with_the_reason(
    hotline: Hotline, fake_twilio: FakeTwilio
) -> None:
    person = make_person_in(hotline.world.a, first="Dan", last="Dnc", phones=["720-555-0196"])
    phone = person.phones.get()
    phone_set_status(phone=phone, status="dnc", actor=None)
    page = _dial(hotline, phone).content.decode()
    assert "asked not to be called (DNC)" in page
    phone_set_status(phone=phone, status="bad", actor=None)
    assert "marked BAD" in _dial(hotline, phone).content.decode()
    assert fake_twilio.sent("Calls") == []


def test_another_accounts_phone_is_404(hotline: Hotline) -> None:
    theirs = Phone.objects.filter(account=hotline.world.b).first()
    assert theirs is not None
    response = _alice(hotline).post(f"/callcapture/phones/{theirs.pk}/dial/")
    assert response.status_code == 404


def test_texting_a_person_goes_through_twilio_and_shows_on_the_thread(
    hotline: Hotline, fake_twilio: FakeTwilio
) -> None:
    person = make_person_in(hotline.world.a, first="Tex", last="Ting", phones=["720-555-0195"])
    client = _alice(hotline)
    with hotline.capture(execute=True):
        client.post(f"/callcapture/people/{person.pk}/text/", {"body": "Saw the house yet?"})
    sent = fake_twilio.sent("Messages")
    assert [r.form["Body"] for r in sent] == ["Saw the house yet?"]
    assert sent[0].form["StatusCallback"] == "https://crm.example.com/twilio/sms/status/"
    message = TextMessage.objects.get(contact=person)
    assert message.status == "sent" and message.sid.startswith("SM")
    page = client.get(f"/contacts/{person.pk}/").content.decode()
    assert "Saw the house yet?" in page and "Call (720) 555-0195" in page
    # A reply lands on the same person and the agent hears of it.
    hotline.sms("Yes, Tuesday!", sender="+17205550195", sid="SMreply")
    assert TextMessage.objects.filter(contact=person, direction="in", body="Yes, Tuesday!").exists()
    from django.core import mail

    assert mail.outbox[-1].subject == "Text from Tex Ting"
    assert "(720) 555-0195: Yes, Tuesday!" in mail.outbox[-1].body


def test_a_twilio_invalid_number_error_marks_the_phone_bad(
    hotline: Hotline, fake_twilio: FakeTwilio
) -> None:
    person = make_person_in(hotline.world.a, first="Ina", last="Valid", phones=["720-555-0194"])
    fake_twilio.invalid_numbers.add("+17205550194")
    with hotline.capture(execute=True):
        _alice(hotline).post(f"/callcapture/people/{person.pk}/text/", {"body": "Hello"})
    assert TextMessage.objects.get(contact=person).status == "failed"
    assert person.phones.get().status == "bad"


def test_an_automated_text_waits_for_the_end_of_quiet_hours(
    hotline: Hotline, fake_twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    from callcapture import tasks, texting

    person = make_person_in(hotline.world.a, first="Quinn", last="Quiet", phones=["720-555-0193"])
    monkeypatch.setattr(texting, "in_quiet_hours", lambda *a, **k: True)
    scheduled: list[Any] = []
    original = tasks.send_text_message.apply_async

    def later_or_now(*args: Any, **kwargs: Any) -> Any:
        if "eta" in kwargs:
            scheduled.append(kwargs)
            return None
        return original(*args, **kwargs)

    monkeypatch.setattr(tasks.send_text_message, "apply_async", later_or_now)
    with hotline.capture(execute=True):
        texting.text_send(
            contact=person, body="Happy home anniversary!", actor=None, automated=True
        )
    assert fake_twilio.sent("Messages") == []
    assert TextMessage.objects.get(contact=person).status == "queued"
    assert scheduled and scheduled[0]["eta"] > scheduled[0]["eta"].replace(year=2000)


def test_settings_store_the_token_encrypted_and_never_show_it(hotline: Hotline) -> None:
    client = _alice(hotline)
    sid = "AC" + "a" * 32
    hours = {"quiet_from": "21:00", "quiet_until": "08:00"}
    client.post(
        "/callcapture/settings/", {"account_sid": sid, "auth_token": "s3cret-token-1234", **hours}
    )
    connection = TwilioConnection.objects.get(account=hotline.world.a)
    assert connection.account_sid == sid and connection.auth_token == "s3cret-token-1234"
    assert "s3cret" not in connection.auth_token_encrypted
    page = client.get("/callcapture/settings/").content.decode()
    assert "s3cret-token" not in page and "…1234" in page
    # Saving again without a token keeps it.
    client.post("/callcapture/settings/", {"account_sid": sid, "auth_token": "", **hours})
    connection.refresh_from_db()
    assert connection.auth_token == "s3cret-token-1234"


def test_a_number_routes_only_one_account(hotline: Hotline) -> None:
    from django.core.exceptions import ValidationError

    from callcapture.services import number_add

    bravo = TwilioNumber.objects.get(account=hotline.world.b)
    with pytest.raises(ValidationError, match="already connected"):
        number_add(account=hotline.world.a, e164=bravo.e164)


def test_assistants_may_not_see_the_twilio_settings(hotline: Hotline) -> None:
    client = login(hotline.client, hotline.world.ann.email)
    assert client.get("/callcapture/settings/").status_code == 403
    assert client.get("/callcapture/").status_code == 200


def test_listing_codes_are_unique_digits(hotline: Hotline) -> None:
    client = _alice(hotline)
    page = client.post("/callcapture/codes/new/", {"code": "999", "property_street": "1 Elm"})
    assert "already used" in page.content.decode()
    page = client.post("/callcapture/codes/new/", {"code": "12a", "property_street": "1 Elm"})
    assert "3 to 6 digits" in page.content.decode()
    response = client.post("/callcapture/codes/new/", {"code": "4321", "property_street": "1 Elm",
                                                        "is_active": "on"})  # fmt: skip
    assert response.status_code == 302


def test_the_flyer_is_public_by_token_only(hotline: Hotline) -> None:
    anonymous = Client()
    page = anonymous.get(f"/f/{hotline.listing.flyer_token}/")
    text = page.content.decode()
    assert page.status_code == 200 and "123 alpha Main St" in text and "$425,000" in text
    assert "alpha bungalow with a porch" in text and "Alice Agent" in text
    photo = hotline.listing.photos.get()
    image = anonymous.get(f"/f/{hotline.listing.flyer_token}/photos/{photo.pk}/")
    assert image.status_code == 200
    bravo_photo = photo.__class__.objects.get(account=hotline.world.b)
    wrong = anonymous.get(f"/f/{hotline.listing.flyer_token}/photos/{bravo_photo.pk}/")
    assert wrong.status_code == 404
    assert anonymous.get("/f/guess/").status_code == 404
    hotline.listing.is_active = False
    hotline.listing.save()
    assert anonymous.get(f"/f/{hotline.listing.flyer_token}/").status_code == 404


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_the_sign_rider_pdf_says_the_code_and_number(hotline: Hotline, tmp_path: Path) -> None:
    response = _alice(hotline).get(f"/callcapture/codes/{hotline.listing.pk}/rider.pdf")
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "rider.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    words = " ".join(text.split())
    assert "24-HOUR RECORDED HOME INFO" in words
    assert "Text 999 to (303) 555-" in words and "or call and enter code 999" in words
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "1728 x 432 pts" in info  # 24 by 6 inches
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-singlefile", str(pdf),
                    str(ARTIFACTS / "rider")], check=True)  # fmt: skip


def test_a_person_from_another_account_cannot_be_texted(hotline: Hotline) -> None:
    theirs = Contact.objects.filter(account=hotline.world.b).first()
    assert theirs is not None
    response = _alice(hotline).post(f"/callcapture/people/{theirs.pk}/text/", {"body": "hi"})
    assert response.status_code == 404
    assert not TextMessage.objects.filter(contact=theirs, body="hi").exists()


def test_twilio_unreachable_fails_the_text_without_an_error_page(
    hotline: Hotline, fake_twilio: FakeTwilio
) -> None:
    person = make_person_in(hotline.world.a, first="Una", last="Reachable", phones=["720-555-0181"])
    fake_twilio.close()  # nobody answers at the HTTP boundary now
    with hotline.capture(execute=True):
        response = _alice(hotline).post(f"/callcapture/people/{person.pk}/text/", {"body": "Hi"})
    assert response.status_code == 302
    message = TextMessage.objects.get(contact=person)
    assert message.status == "failed" and "could not be reached" in message.error


def test_a_six_digit_code_still_fits_the_rider_and_no_number_means_no_rider(
    hotline: Hotline, tmp_path: Path
) -> None:
    from callcapture import listings

    hotline.listing.code = "123456"
    hotline.listing.save()
    number = TwilioNumber.objects.get(account=hotline.world.a)
    pdf = tmp_path / "rider.pdf"
    pdf.write_bytes(listings.rider_pdf(hotline.listing, number))
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout  # fmt: skip
        words = " ".join(text.split())
        assert f"Text 123456 to {number.display}" in words  # whole, not cut at the edge
    TwilioNumber.objects.filter(account=hotline.world.a).delete()
    response = _alice(hotline).get(f"/callcapture/codes/{hotline.listing.pk}/rider.pdf")
    assert response.status_code == 302


def test_after_stop_the_record_says_why_and_a_refused_text_keeps_the_draft(
    hotline: Hotline,
) -> None:
    person = make_person_in(hotline.world.a, first="Stu", last="Stopped", phones=["720-555-0182"])
    client = _alice(hotline)
    hotline.sms("STOP", sender="+17205550182", sid="SMstop")
    page = client.get(f"/contacts/{person.pk}/").content.decode()
    assert "No texts: Texted STOP." in page and 'id="text-body"' not in page
    response = client.post(f"/callcapture/people/{person.pk}/text/", {"body": "One more thing"})
    assert response.status_code == 302 and "draft=One+more+thing" in response.url
