"""The lead feed end to end: ingestion paths (HTTP with the secret, email-service webhook,
IMAP, the command), stored before parsed and once per Message-ID, leads becoming or
updating prospects, showings, non-leads, unreadable messages, the agent's alerts, the
inbox and the safe view of a message."""

from __future__ import annotations

import io
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from django.core import mail as outbox
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from contacts.models import Contact, Note
from emailfeed import imap, processing
from emailfeed.ingest import feed_settings, ingest
from emailfeed.models import InboundMessage, Showing, SourceHealth
from prospects.models import Lead
from tests.callcapture.fake_twilio import FakeTwilio
from tests.conftest import login
from tests.contacts.people import make_person_in
from tests.world import World


def lead_email(
    *,
    name: str = "Dana Buyer",
    email: str = "dana@example.com",
    phone: str = "970-555-0170",
    message_id: str = "<lead-1@example.com>",
    sender: str = "leads@agentsite.example.com",
    extra: str = "",
    to: str = "",
) -> bytes:
    message = EmailMessage()
    message["From"] = f"Agent Site <{sender}>"
    message["To"] = to or "agent@example.com"
    message["Subject"] = "New contact form submission"
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id
    message.set_content(
        f"Name: {name}\nEmail: {email}\nPhone: {phone}\nProperty address: 42 Elm St\n"
        f"Price: $410,000\nMLS #: 998877\nMessage: We would like to tour the house.\n{extra}"
    )
    return message.as_bytes()


_CAPTURE: list[Any] = []


@pytest.fixture
def feed(world: World, fake_twilio: FakeTwilio, django_capture_on_commit_callbacks: Any) -> Any:
    world.alice.mobile_phone = "+19705550100"
    world.alice.save()
    _CAPTURE[:] = [django_capture_on_commit_callbacks]
    return feed_settings(world.a.pk)


def process(message: InboundMessage) -> InboundMessage:
    """Parse and apply as the worker does, with the follow-up tasks (alerts) run too."""
    with _CAPTURE[0](execute=True):
        return processing.process(message)


def post(client: Client, token: str, raw: bytes, secret: str, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(
            f"/emailfeed/inbound/{token}/",
            raw,
            content_type="message/rfc822",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )


def test_the_http_endpoint_needs_the_secret(
    feed: Any, world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    assert post(client, feed.token, lead_email(), "wrong", capture).status_code == 403
    bravo = feed_settings(world.b.pk)
    assert post(client, feed.token, lead_email(), bravo.secret, capture).status_code == 403
    assert post(client, "0" * 16, lead_email(), feed.secret, capture).status_code == 403
    assert not InboundMessage.objects.filter(account=world.a, message_id="lead-1@example.com")


def test_a_lead_becomes_a_prospect_and_the_agent_hears_at_once(
    feed: Any,
    world: World,
    client: Client,
    fake_twilio: FakeTwilio,
    django_capture_on_commit_callbacks: Any,
) -> None:
    response = post(
        client, feed.token, lead_email(), feed.secret, django_capture_on_commit_callbacks
    )
    assert response.status_code == 202
    message = InboundMessage.objects.get(account=world.a, message_id="lead-1@example.com")
    assert message.status == "lead_created" and bytes(message.raw).startswith(b"From:")
    person = message.contact
    assert person is not None and (person.first_name, person.last_name) == ("Dana", "Buyer")
    assert person.database == "prospects" and person.lead_source == "Website"
    lead = Lead.objects.get(contact=person)
    assert (lead.property_street, lead.price, lead.mls_number) == ("42 Elm St", 410000, "998877")
    assert lead.received_at == message.received_at and lead.stage == "new"
    assert "tour the house" in lead.inquiry
    assert outbox.outbox[-1].subject == "New Website lead: Dana Buyer"
    assert "(970) 555-0170 on 42 Elm St" in outbox.outbox[-1].body
    texts = [r for r in fake_twilio.sent("Messages") if r.form["To"] == "+19705550100"]
    assert len(texts) == 1 and texts[0].form["Body"].startswith("New Website lead: Dana Buyer")


def test_the_same_message_id_is_stored_once(
    feed: Any, world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    post(client, feed.token, lead_email(), feed.secret, capture)
    again = post(client, feed.token, lead_email(), feed.secret, capture)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert (
        InboundMessage.objects.filter(account=world.a, message_id="lead-1@example.com").count() == 1
    )
    assert Contact.objects.filter(account=world.a, emails__address="dana@example.com").count() == 1


def test_a_known_person_is_updated_not_duplicated(feed: Any, world: World) -> None:
    known = make_person_in(
        world.a, first="Dana", last="Buyer", emails=["dana@example.com"], database="prospects"
    )
    Lead.objects.create(account=world.a, contact=known, stage="dead", inquiry="Old question")
    message, _ = ingest(world.a.pk, lead_email(phone="970-555-0171"), "command")
    message = process(message)
    assert message.status == "lead_updated" and message.contact == known
    lead = Lead.objects.get(contact=known)
    assert lead.stage == "new" and "Old question" in lead.inquiry and "tour" in lead.inquiry
    assert known.phones.filter(e164="+19705550171").exists()
    assert Contact.objects.filter(account=world.a, emails__address="dana@example.com").count() == 1
    assert Note.objects.filter(contact=known, body__startswith="Website lead (again)").exists()


def test_a_message_to_alphas_feed_never_touches_bravo(feed: Any, world: World) -> None:
    bravo = feed_settings(world.b.pk)
    before = Contact.objects.filter(account=world.b).count()
    raw = lead_email(to=f"{bravo.address}, {feed.address}")  # stuffed with Bravo's address
    message, _ = ingest(world.a.pk, raw, "command")
    process(message)
    assert Contact.objects.filter(account=world.b).count() == before
    assert message.contact is not None and message.contact.account_id == world.a.pk


def test_an_email_service_webhook_routes_by_envelope_recipient(feed: Any, world: World) -> None:
    from anymail.inbound import AnymailInboundMessage
    from anymail.signals import AnymailInboundEvent, inbound

    bravo = feed_settings(world.b.pk)
    message = AnymailInboundMessage.parse_raw_mime_bytes(lead_email(to=bravo.address))
    message.envelope_recipient = feed.address
    inbound.send(
        sender=object,
        event=AnymailInboundEvent(event_type="inbound", message=message),
        esp_name="Test",
    )
    assert InboundMessage.objects.filter(account=world.a, via="webhook").count() == 1
    assert not InboundMessage.objects.filter(account=world.b, via="webhook").exists()
    message.envelope_recipient = "leads+ffffffffffffffff@leads.localhost"
    inbound.send(
        sender=object,
        event=AnymailInboundEvent(event_type="inbound", message=message),
        esp_name="Test",
    )
    assert InboundMessage.objects.filter(via="webhook").count() == 1


def test_a_parser_crash_leaves_the_message_stored_and_failed(
    feed: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(processing, "apply_lead", broken)
    message, _ = ingest(world.a.pk, lead_email(), "command")
    message = process(message)
    assert message.status == "failed" and "database hiccup" in message.error
    assert InboundMessage.objects.get(pk=message.pk).raw
    assert "could not be read" in outbox.outbox[-1].body


def test_an_unrecognised_message_tells_the_agent(feed: Any, world: World) -> None:
    raw = (
        b"From: someone@example.org\r\nSubject: hello\r\nMessage-ID: <x1@example.org>\r\n\r\n"
        b"Just saying hi.\r\n"
    )
    message, _ = ingest(world.a.pk, raw, "command")
    message = process(message)
    assert message.status == "unrecognised"
    assert outbox.outbox[-1].subject.startswith("A lead email could not be read")
    assert f"/emailfeed/messages/{message.pk}/" in outbox.outbox[-1].body


def test_a_source_that_stops_parsing_is_reported_once(feed: Any, world: World) -> None:
    sender = "alerts@portal.example.net"
    first, _ = ingest(world.a.pk, lead_email(sender=sender, message_id="<a1@x>"), "command")
    process(first)
    for n in range(3):
        raw = (
            f"From: Portal <{sender}>\r\nSubject: New lead!\r\nMessage-ID: <b{n}@x>\r\n\r\n"
            "A new layout nobody can read.\r\n"
        ).encode()
        message, _ = ingest(world.a.pk, raw, "command")
        process(message)
    alerts = [m for m in outbox.outbox if "stopped parsing" in m.subject]
    assert len(alerts) == 1
    assert "stopped parsing since" in alerts[0].body and "portal.example.net" in alerts[0].body
    health = SourceHealth.objects.get(account=world.a, domain="portal.example.net")
    assert health.failures == 3


def test_parse_again_after_a_fix_creates_the_lead(
    feed: Any, world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = lead_email()
    real = processing.parse_mail
    monkeypatch.setattr(processing, "parse_mail", lambda mail: processing.Outcome(data=None))
    message, _ = ingest(world.a.pk, raw, "command")
    message = process(message)
    assert message.status == "unrecognised"
    monkeypatch.setattr(processing, "parse_mail", real)
    login(client, world.alice.email)
    client.post(f"/emailfeed/messages/{message.pk}/parse-again/")
    message.refresh_from_db()
    assert message.status == "lead_created" and message.contact is not None


def test_a_prospect_can_be_made_by_hand_from_any_message(
    feed: Any, world: World, client: Client
) -> None:
    raw = (
        b"From: aunt@example.org\r\nSubject: my neighbour\r\nMessage-ID: <n1@x>\r\n\r\n"
        b"Call Jo, she wants to sell.\r\n"
    )
    message, _ = ingest(world.a.pk, raw, "command")
    process(message)
    login(client, world.alice.email)
    form = client.get(f"/emailfeed/messages/{message.pk}/prospect/").content.decode()
    assert "Call Jo, she wants to sell." in form
    response = client.post(
        f"/emailfeed/messages/{message.pk}/prospect/",
        {"first_name": "Jo", "phone": "970 555 0166", "message": "wants to sell"},
    )
    person = Contact.objects.get(account=world.a, first_name="Jo")
    assert response.url == person.get_absolute_url() and person.database == "prospects"
    message.refresh_from_db()
    assert message.status == "lead_created" and message.contact == person


def test_a_showing_is_recorded_and_the_showing_agent_becomes_a_contact(
    feed: Any, world: World
) -> None:
    from emailfeed.parsers import ShowingData

    message, _ = ingest(world.a.pk, lead_email(message_id="<s1@x>"), "command")
    data = ShowingData(
        source="ShowingTime",
        property_address="7 Pine Rd, Loveland, CO 80537",
        agent_name="Sam Shower",
        agent_email="sam@brokerage.example.com",
        agent_phone="+19705550150",
        showing_start=timezone.now(),
    )
    showing = processing.apply_showing(message, data)
    agent = showing.agent
    assert agent is not None and agent.database == "contacts"
    assert agent.categories.filter(key="agent").exists()
    again, _ = ingest(world.a.pk, lead_email(message_id="<s2@x>"), "command")
    assert processing.apply_showing(again, data).agent == agent
    assert Showing.objects.filter(account=world.a, agent=agent).count() == 2


def test_the_message_is_shown_without_scripts_or_remote_images(
    feed: Any, world: World, client: Client
) -> None:
    message = EmailMessage()
    message["From"] = "x@example.org"
    message["Subject"] = "hostile"
    message["Message-ID"] = "<h1@x>"
    message.set_content("plain")
    message.add_alternative(
        '<p onclick="steal()">Hi <script>alert(1)</script><img src="https://tracker.example/p.gif">'
        '<a href="javascript:alert(2)">click</a> <a href="https://ok.example/">ok</a></p>',
        subtype="html",
    )
    stored, _ = ingest(world.a.pk, message.as_bytes(), "command")
    login(client, world.alice.email)
    response = client.get(f"/emailfeed/messages/{stored.pk}/")
    page = response.content.decode()
    assert "alert(1)" not in page and "tracker.example" not in page and "javascript:" not in page
    assert "onclick" not in page and 'href="https://ok.example/"' in page
    assert "img-src 'self' data:" in response["Content-Security-Policy"]


def test_the_inbox_lists_messages_by_status(feed: Any, world: World, client: Client) -> None:
    message, _ = ingest(world.a.pk, lead_email(), "command")
    process(message)
    login(client, world.alice.email)
    page = client.get("/emailfeed/?status=lead_created").content.decode()
    assert "New contact form submission" in page and "Dana Buyer" in page
    assert "bravo" not in page.lower()


def test_the_test_lead_button_runs_the_whole_path(
    feed: Any, world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    login(client, world.alice.email)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/emailfeed/settings/test-lead/")
    message = InboundMessage.objects.get(account=world.a, via="test")
    assert message.status == "lead_created" and message.parser == "lead_metadata"
    assert message.contact is not None and message.contact.first_name.startswith("Test")


def test_the_command_ingests_and_reports(feed: Any, world: World, tmp_path: Path) -> None:
    path = tmp_path / "lead.eml"
    path.write_bytes(lead_email(message_id="<cmd@x>"))
    out = io.StringIO()
    call_command(
        "emailfeed_ingest",
        str(path),
        str(path),
        str(tmp_path / "nope.eml"),
        account=world.a.pk,
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("lead created -> Dana Buyer")
    assert "already received" in lines[1] and "cannot read" in lines[2]


class FakeImap:
    """imaplib's surface that the poller uses, over messages held in memory."""

    def __init__(self, messages: dict[bytes, bytes]) -> None:
        self.messages = messages
        self.seen: set[bytes] = set()

    def login(self, user: str, password: str) -> tuple[str, list[bytes]]:
        assert (user, password) == ("feed@example.com", "imap-pass")
        return "OK", [b""]

    def select(self, folder: str) -> tuple[str, list[bytes]]:
        return "OK", [str(len(self.messages)).encode()]

    def uid(self, command: str, *args: Any) -> tuple[str, list[Any]]:
        if command == "search":
            unseen = [u for u in self.messages if u not in self.seen]
            return "OK", [b" ".join(unseen)]
        if command == "fetch":
            return "OK", [(b"1 (BODY[] {n})", self.messages[args[0]]), b")"]
        if command == "store":
            self.seen.add(args[0])
            return "OK", [b""]
        raise AssertionError(command)

    def logout(self) -> None:
        pass


def test_the_imap_poller_stores_unseen_mail_once(
    feed: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeImap({b"1": lead_email(message_id="<i1@x>"), b"2": lead_email(message_id="<i2@x>")})
    monkeypatch.setattr(imap, "connect", lambda feed: fake)
    feed.imap_enabled, feed.imap_host, feed.imap_user = True, "imap.example.com", "feed@example.com"
    imap.set_password(feed, "imap-pass")
    feed.save()
    assert imap.poll(feed) == 2
    assert imap.poll(feed) == 0
    assert InboundMessage.objects.filter(account=world.a, via="imap").count() == 2


def test_a_message_over_the_cap_is_stored_cut_and_marked_not_dropped(
    feed: Any, world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from emailfeed.ingest import MAX_STORED

    padding = b"\r\n--b\r\nContent-Type: application/pdf\r\n\r\n" + b"A" * (MAX_STORED + 500_000)
    raw = lead_email(message_id="<big@x>").replace(b"\n\n", b"\n\n", 1) + padding
    response = post(client, feed.token, raw, feed.secret, django_capture_on_commit_callbacks)
    assert response.status_code == 202
    message = InboundMessage.objects.get(account=world.a, message_id="big@x")
    assert message.oversize and message.size == len(raw)
    assert len(bytes(message.raw)) == MAX_STORED
    assert message.status == "lead_created"  # the lead sits at the top, before the cut


def test_by_hand_a_known_person_gets_a_note_not_a_twin(
    feed: Any, world: World, client: Client
) -> None:
    known = make_person_in(world.a, first="Maria", last="Gonzalez", emails=["maria@example.com"])
    raw = b"From: x@example.org\r\nSubject: call Maria\r\nMessage-ID: <m1@x>\r\n\r\nShe called.\r\n"
    message, _ = ingest(world.a.pk, raw, "command")
    process(message)
    login(client, world.alice.email)
    response = client.post(
        f"/emailfeed/messages/{message.pk}/prospect/",
        {"first_name": "Maria", "email": "maria@example.com", "message": "She called."},
    )
    assert response.url == known.get_absolute_url()
    assert Contact.objects.filter(account=world.a, emails__address="maria@example.com").count() == 1
    assert known.notes.filter(body__contains="She called.").exists()


def test_an_unreadable_message_can_be_set_aside(feed: Any, world: World, client: Client) -> None:
    raw = b"From: x@example.org\r\nSubject: hi\r\nMessage-ID: <s1@x>\r\n\r\nHello.\r\n"
    message, _ = ingest(world.a.pk, raw, "command")
    process(message)
    login(client, world.alice.email)
    client.post(f"/emailfeed/messages/{message.pk}/set-aside/")
    message.refresh_from_db()
    assert message.status == "ignored"
