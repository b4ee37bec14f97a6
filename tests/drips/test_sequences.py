"""Drip sequences with controlled time: sending window, the weekly cap across sequences,
reachability, exactly-once sends, unsubscribe and "stop all automations"."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from contacts.models import Contact
from contacts.reachability import Channel, reach
from crm.models import Task
from drips import sequences
from drips.models import ContentItem, Enrollment, Send, Sequence, Step
from tests.conftest import login
from tests.contacts.people import make_person_in
from tests.world import World

DENVER = zoneinfo.ZoneInfo("America/Denver")
TUESDAY_10 = datetime(2030, 1, 8, 10, 0, tzinfo=DENVER)  # inside the window
SATURDAY_10 = datetime(2030, 1, 12, 10, 0, tzinfo=DENVER)


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Any:
    """One beat pass at a given time, with the delivery tasks it queues run too."""

    def once(now: datetime) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return sequences.run_due(now)

    return once


def _sequence(world: World, *kinds: str) -> Sequence:
    seq = Sequence.objects.create(account=world.a, name="Test drip")
    item = ContentItem.objects.create(
        account=world.a,
        kind="email",
        title="Hello",
        subject='Hi {{ first_name|default:"there" }}',
        body='Dear {{ first_name|default:"Neighbor" }},\nA note.\nBye: {{ unsubscribe_url }}',
    )
    for position, kind in enumerate(kinds, start=1):
        Step.objects.create(account=world.a, sequence=seq, position=position, kind=kind,
                            content=item if kind != "task" else None, task_title="Call them",
                            delay_days=0 if position == 1 else 7)  # fmt: skip
    return seq


def _enroll(world: World, seq: Sequence, person: Contact, at: datetime) -> Enrollment:
    sequences.enroll(people=[person], sequence=seq, actor=world.alice)
    enrollment = Enrollment.objects.get(contact=person, sequence=seq)
    enrollment.next_due_at = at
    enrollment.save()
    return enrollment


def test_every_account_gets_ready_made_sequences(world: World) -> None:
    names = set(Sequence.objects.filter(account=world.c).values_list("name", flat=True))
    assert len(names) >= 10 and "FSBO" in names
    fsbo = Sequence.objects.get(account=world.c, name="FSBO")
    kinds = list(fsbo.steps.values_list("kind", flat=True))
    assert kinds[-1] == "task" and len(kinds) == 5


def test_an_email_step_goes_out_once_with_unsubscribe_headers(world: World, run: Any) -> None:
    person = make_person_in(world.a, first="Ella", last="Drip", emails=["ella@example.com"])
    seq = _sequence(world, "email", "email")
    enrollment = _enroll(world, seq, person, TUESDAY_10)
    assert run(TUESDAY_10) == 1
    assert run(TUESDAY_10) == 0  # beat again: nothing due, nothing sent twice
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["ella@example.com"] and sent.subject == "Hi Ella"
    assert sent.body.startswith("Dear Ella,") and "/u/" in sent.body
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent.from_email.startswith("bounce+") and "Alice Agent" in sent.extra_headers["From"]
    assert sent.reply_to == ["alice@example.com"]
    enrollment.refresh_from_db()
    assert enrollment.next_position == 2 and enrollment.next_due_at == TUESDAY_10 + timedelta(
        days=7
    )
    assert Send.objects.get(enrollment=enrollment).status == "sent"


def test_a_step_already_written_is_never_sent_again(world: World, run: Any) -> None:
    person = make_person_in(world.a, first="Otto", last="Once", emails=["otto@example.com"])
    seq = _sequence(world, "email", "email")
    enrollment = _enroll(world, seq, person, TUESDAY_10)
    step = seq.steps.get(position=1)
    Send.objects.create(
        account=world.a,
        enrollment=enrollment,
        step=step,
        contact=person,
        kind="email",
        status="sent",
    )  # fmt: skip  (a crash after sending)
    run(TUESDAY_10)
    assert mail.outbox == []
    enrollment.refresh_from_db()
    assert enrollment.next_position == 2


def test_emails_wait_for_the_sending_window(world: World, run: Any) -> None:
    person = make_person_in(world.a, first="Wendy", last="Window", emails=["w@example.com"])
    enrollment = _enroll(world, _sequence(world, "email"), person, SATURDAY_10)
    assert run(SATURDAY_10) == 0
    enrollment.refresh_from_db()
    assert enrollment.next_due_at == datetime(2030, 1, 14, 8, 0, tzinfo=DENVER)  # Monday 8:00
    assert mail.outbox == []


def test_one_automated_email_a_week_across_sequences(world: World, run: Any) -> None:
    person = make_person_in(world.a, first="Cap", last="Person", emails=["cap@example.com"])
    first = _enroll(world, _sequence(world, "email"), person, TUESDAY_10)
    second = _enroll(world, _sequence(world, "email"), person, TUESDAY_10)
    run(TUESDAY_10)
    assert len(mail.outbox) == 1
    waiting = second if Send.objects.filter(enrollment=first).exists() else first
    waiting.refresh_from_db()
    sent = Send.objects.get(contact=person)
    assert waiting.next_due_at == sent.created_at + timedelta(days=7)


def test_people_the_rules_refuse_are_skipped_with_the_reason(world: World, run: Any) -> None:
    nomail = make_person_in(world.a, first="No", last="Mail")
    cold = make_person_in(world.a, first="Cold", last="One", emails=["cold@example.com"],
                          categories=["cold"])  # fmt: skip
    seq = _sequence(world, "email")
    _enroll(world, seq, nomail, TUESDAY_10)
    _enroll(world, seq, cold, TUESDAY_10)
    run(TUESDAY_10)
    assert mail.outbox == []
    assert Send.objects.get(contact=nomail).reason == "No email address"
    assert Send.objects.get(contact=cold).status == "skipped"


def test_task_and_letter_steps(world: World, run: Any) -> None:
    person = make_person_in(world.a, first="Tia", last="Task", emails=["tia@example.com"])
    seq = _sequence(world, "task", "letter")
    enrollment = _enroll(world, seq, person, TUESDAY_10)
    run(TUESDAY_10)
    assert Task.objects.filter(account=world.a, title="Call them").exists()
    enrollment.refresh_from_db()
    run(enrollment.next_due_at)
    letter = Send.objects.get(enrollment=enrollment, kind="letter")
    assert letter.status in ("to_print", "skipped")  # no mailing address: skipped with why


def test_unsubscribing_from_a_drip_email_stops_the_drips(world: World, run: Any) -> None:
    person = make_person_in(world.a, first="Uma", last="Unsub", emails=["uma@example.com"])
    enrollment = _enroll(world, _sequence(world, "email", "email"), person, TUESDAY_10)
    run(TUESDAY_10)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/u/" in line)
    path = "/u/" + link.split("/u/", 1)[1]
    Client().post(path)
    enrollment.refresh_from_db()
    assert enrollment.status == "stopped" and "Unsubscribed" in enrollment.stopped_reason


def test_the_record_starts_pauses_and_stops_drips(world: World, client: Client) -> None:
    person = make_person_in(world.a, first="Rec", last="Ord", emails=["rec@example.com"])
    seq = Sequence.objects.filter(account=world.a, name="FSBO").first()
    assert seq is not None
    login(client, world.alice.email)
    client.post(f"/drips/people/{person.pk}/enroll/", {"sequence": seq.pk, "start": "2"})
    enrollment = Enrollment.objects.get(contact=person, sequence=seq)
    assert enrollment.next_position == 2
    page = client.get(f"/contacts/{person.pk}/").content.decode()
    assert 'id="drips"' in page and "FSBO" in page
    client.post(f"/drips/enrollments/{enrollment.pk}/", {"action": "pause"})
    enrollment.refresh_from_db()
    assert enrollment.status == "paused"
    client.post(f"/drips/people/{person.pk}/stop-all/")
    enrollment.refresh_from_db()
    person.refresh_from_db()
    assert enrollment.status == "stopped" and person.stop_automations
    assert not reach(person, Channel.EMAIL, automated=True).ok
    bravo_sequence = Sequence.objects.filter(account=world.b).first()
    assert bravo_sequence is not None
    response = client.post(f"/drips/people/{person.pk}/enroll/", {"sequence": bravo_sequence.pk})
    assert response.status_code == 404


def test_a_chunk_whose_worker_died_is_handed_over_again_and_sent_once(
    world: World, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    from drips import tasks

    settings.DRIPS_REQUEUE_SECONDS = 600
    mail.outbox.clear()
    people = [make_person_in(world.a, first=f"P{n}", emails=[f"p{n}@example.com"])
              for n in range(3)]  # fmt: skip
    seq = _sequence(world, "email")
    for person in people:
        _enroll(world, seq, person, TUESDAY_10)
    with django_capture_on_commit_callbacks(execute=False):  # the chunk stays in the broker
        assert sequences.run_due(TUESDAY_10) == 3
    sends = list(Send.objects.filter(step__sequence=seq).order_by("pk"))
    # A worker took the chunk, sent the first email and died.
    assert tasks.claim(world.a.pk, [s.pk for s in sends]) == [s.pk for s in sends]
    tasks.deliver_one(world.a.pk, sends[0].pk)
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert sequences.requeue_stale(timezone.now() + timedelta(minutes=5)) == 0  # its own
        assert sequences.requeue_stale(timezone.now() + timedelta(minutes=11)) == 2  # stale
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@example.com", "p1@example.com",
                                                    "p2@example.com"]  # fmt: skip
    assert set(Send.objects.filter(step__sequence=seq).values_list("status", flat=True)) == {"sent"}


def test_a_queue_still_waiting_in_the_broker_is_left_alone(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    person = make_person_in(world.a, first="Wait", emails=["wait@example.com"])
    _enroll(world, _sequence(world, "email"), person, TUESDAY_10)
    with django_capture_on_commit_callbacks(execute=False):
        sequences.run_due(TUESDAY_10)
    later = timezone.now() + timedelta(hours=2)  # a deep backlog, nobody claimed it yet
    assert sequences.requeue_stale(later) == 0
    assert sequences.requeue_stale(timezone.now() + timedelta(hours=14)) == 1  # broker lost it


def test_a_mail_server_refusal_fails_the_email_with_the_reason(
    world: World, run: Any, monkeypatch: Any
) -> None:
    import smtplib

    from drips import outgoing

    def refuse(message: Any) -> None:
        raise smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"no such user")})

    monkeypatch.setattr(outgoing, "send_kept_open", refuse)
    person = make_person_in(world.a, first="Refused", emails=["x@example.com"])
    _enroll(world, _sequence(world, "email"), person, TUESDAY_10)
    run(TUESDAY_10)
    send = Send.objects.get(contact=person)
    assert send.status == "failed" and "refused the address" in send.reason
