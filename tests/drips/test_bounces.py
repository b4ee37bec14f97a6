"""Bounces and complaints: delivery reports to each email's signed VERP return path and
email-service events (django-anymail) close the address, leave a note and a call task,
retry soft bounces up to the limit, and stop every automation on a complaint."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client, RequestFactory

from contacts.models import Contact, Note
from crm.models import Task
from drips import verp
from drips.models import BounceReport, ContentItem, Enrollment, Send, Sequence, Step
from tests.contacts.people import make_person_in
from tests.world import World

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "bounces"


@pytest.fixture(autouse=True)
def _secret(settings: Any) -> None:
    settings.DRIPS_BOUNCE_SECRET = "bounce-secret"
    settings.DRIPS_SOFT_BOUNCE_LIMIT = 3
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}


@pytest.fixture
def sent(world: World) -> Send:
    """A drip email that went out to Jane."""
    person = make_person_in(world.a, first="Jane", last="Doe", emails=["jane.doe@example.net"])
    item = ContentItem.objects.create(account=world.a, kind="email", title="Hello",
                                      subject="Hi", body="Hello {{ first_name }}")  # fmt: skip
    sequence = Sequence.objects.create(account=world.a, name="Bounce test")
    step = Step.objects.create(account=world.a, sequence=sequence, position=1, kind="email",
                               content=item)  # fmt: skip
    enrollment = Enrollment.objects.create(account=world.a, contact=person, sequence=sequence)
    return Send.objects.create(account=world.a, enrollment=enrollment, step=step, contact=person,
                               kind="email", status="sent", to_address="jane.doe@example.net",
                               sent_at="2026-11-20T10:00:00Z")  # fmt: skip


def _report(sample: str, send: Send) -> bytes:
    """A sample report, addressed to this send's return path."""
    token = verp.token(send.account_id, verp.DRIP, send.pk)
    return re.sub(rb"bounce\+[\w.]+@", f"bounce+{token}@".encode(), (SAMPLES / sample).read_bytes())


def _post(client: Client, raw: bytes, capture: Any, secret: str = "bounce-secret") -> Any:
    with capture(execute=True):
        return client.post("/drips/bounces/inbound/", raw, content_type="message/rfc822",
                           HTTP_AUTHORIZATION=f"Bearer {secret}")  # fmt: skip


def _person(send: Send) -> Contact:
    return Contact.objects.get(pk=send.contact_id)


def test_a_hard_bounce_closes_the_address_with_a_note_and_a_call_task(
    client: Client, sent: Send, django_capture_on_commit_callbacks: Any
) -> None:
    raw = _report("postfix_hard_user_unknown.eml", sent)
    response = _post(client, raw, django_capture_on_commit_callbacks)
    assert response.status_code == 202
    email = _person(sent).emails.get()
    assert email.status == "hard_bounce"
    note = Note.objects.get(contact=sent.contact_id, body__startswith="HardBounce")
    assert "jane.doe@example.net" in note.body and "5.1.1" in note.body
    task = Task.objects.get(account=sent.account_id, title="Email bounced — reconnect by phone")
    assert task.related == _person(sent)
    report = BounceReport.objects.get(account=sent.account_id, outcome="hard")
    assert report.outcome == "hard" and bytes(report.raw) == raw  # stored as it came
    # The same report again: no second note or task.
    _post(client, raw, django_capture_on_commit_callbacks)
    assert Task.objects.filter(title__startswith="Email bounced").count() == 1
    assert Note.objects.filter(contact=sent.contact_id, body__startswith="HardBounce").count() == 1


def test_a_forged_or_missing_return_path_changes_nothing(
    client: Client, sent: Send, django_capture_on_commit_callbacks: Any
) -> None:
    raw = _report("postfix_hard_user_unknown.eml", sent)
    token = verp.token(sent.account_id, verp.DRIP, sent.pk)
    forged = raw.replace(token.encode(), f"{sent.account_id}.s{sent.pk}.aaaaaaaaaa".encode())
    assert _post(client, forged, django_capture_on_commit_callbacks).status_code == 200
    other = raw.replace(token.encode(), verp.token(sent.account_id + 1, verp.DRIP, sent.pk)
                        .encode())  # fmt: skip
    _post(client, other, django_capture_on_commit_callbacks)
    assert _post(client, raw, django_capture_on_commit_callbacks, "wrong").status_code == 403
    assert _person(sent).emails.get().status == "ok"
    assert (
        not BounceReport.objects.filter(account=sent.account_id)
        .exclude(raw=b"alpha bounce")
        .exists()
    )


def test_soft_bounces_send_again_until_the_limit_then_count_as_hard(
    client: Client, sent: Send, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    raw = _report("mailbox_full_5_2_2.eml", sent)
    for n in (1, 2):
        _post(client, raw.replace(b"Message-Id: <", f"Message-Id: <{n}".encode()),
              django_capture_on_commit_callbacks)  # fmt: skip
        email = _person(sent).emails.get()
        assert (email.status, email.soft_bounces) == ("ok", n)
        assert len(mail.outbox) == n  # sent again (eager here; 4 hours later for real)
        assert Send.objects.get(pk=sent.pk).status == "sent"
    _post(client, raw, django_capture_on_commit_callbacks)
    email = _person(sent).emails.get()
    assert email.status == "hard_bounce"
    assert BounceReport.objects.filter(outcome="soft_limit").count() == 1
    assert Task.objects.filter(title__startswith="Email bounced").count() == 1


def test_a_delay_warning_only_is_recorded(
    client: Client, sent: Send, django_capture_on_commit_callbacks: Any
) -> None:
    _post(client, _report("postfix_delayed_warning.eml", sent), django_capture_on_commit_callbacks)
    assert _person(sent).emails.get().status == "ok"
    assert BounceReport.objects.get(account=sent.account_id, outcome="delayed")


def _postmark(payload: dict[str, Any], capture: Any) -> int:
    from anymail.webhooks.postmark import PostmarkTrackingWebhookView

    auth = base64.b64encode(b"hook:secret").decode()
    request = RequestFactory().post("/anymail/postmark/tracking/", json.dumps(payload),
                                    content_type="application/json",
                                    HTTP_AUTHORIZATION=f"Basic {auth}")  # fmt: skip
    with capture(execute=True):
        return PostmarkTrackingWebhookView.as_view()(request).status_code  # type: ignore[no-any-return]


def test_a_complaint_from_the_email_service_stops_every_automation(
    sent: Send, django_capture_on_commit_callbacks: Any
) -> None:
    enrollment = Enrollment.objects.get(pk=sent.enrollment_id)
    enrollment.status = "active"
    enrollment.save()
    status = _postmark({
        "RecordType": "SpamComplaint", "Type": "SpamComplaint", "TypeCode": 512, "ID": 42,
        "Email": "jane.doe@example.net", "BouncedAt": "2026-11-26T10:00:00Z",
        "Metadata": {"crm_ref": verp.address(sent.account_id, verp.DRIP, sent.pk)},
    }, django_capture_on_commit_callbacks)  # fmt: skip
    assert status == 200
    person = _person(sent)
    assert person.emails.get().status == "complaint" and person.stop_automations
    assert Enrollment.objects.get(pk=enrollment.pk).status == "stopped"
    assert Note.objects.filter(contact=person, body__startswith="Complaint").exists()


def test_a_service_bounce_without_our_reference_is_matched_by_the_address(
    sent: Send, django_capture_on_commit_callbacks: Any
) -> None:
    status = _postmark({
        "RecordType": "Bounce", "Type": "HardBounce", "TypeCode": 1, "ID": 43,
        "Email": "Jane.Doe@example.net", "BouncedAt": "2026-11-26T10:00:00Z",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist",
        "Description": "The server was unable to deliver your message",
    }, django_capture_on_commit_callbacks)  # fmt: skip
    assert status == 200
    assert _person(sent).emails.get().status == "hard_bounce"


def test_a_soft_service_bounce_is_retried(
    sent: Send, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    _postmark({
        "RecordType": "Bounce", "Type": "SoftBounce", "TypeCode": 4096, "ID": 44,
        "Email": "jane.doe@example.net", "BouncedAt": "2026-11-26T10:00:00Z",
        "Details": "smtp;452 4.2.2 The email account that you tried to reach is over quota",
        "Metadata": {"crm_ref": verp.address(sent.account_id, verp.DRIP, sent.pk)},
    }, django_capture_on_commit_callbacks)  # fmt: skip
    email = _person(sent).emails.get()
    assert (email.status, email.soft_bounces) == ("ok", 1)
    assert len(mail.outbox) == 1


def test_the_bounce_list_shows_what_happened(
    alice: Client, sent: Send, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _post(Client(), _report("postfix_hard_user_unknown.eml", sent),
          django_capture_on_commit_callbacks)  # fmt: skip
    page = alice.get("/drips/bounces/")
    assert b"Hard bounce" in page.content and b"Jane Doe" in page.content


def test_verp_tokens_cannot_be_forged_or_moved() -> None:
    token = verp.token(5, verp.CAMPAIGN, 77)
    assert verp.read(f"bounce+{token}@leads.example.com") == verp.Ref(5, "r", 77)
    assert verp.read(token.upper().replace("R", "r", 1)) == verp.Ref(5, "r", 77)
    _account, rest = token.split(".", 1)
    assert verp.read(f"6.{rest}") is None
    assert verp.read(token.replace("77", "78")) is None
    assert verp.read("bounce+garbage@x") is None and verp.read("") is None


def test_the_mail_server_pipe_command_stores_and_processes_a_report(
    sent: Send, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command

    report = tmp_path / "bounce.eml"
    report.write_bytes(_report("gmail_dsn_failure.eml", sent))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("drips_bounce", str(report), stdout=out)
    assert "stored as report" in out.getvalue()
    assert _person(sent).emails.get().status == "hard_bounce"
