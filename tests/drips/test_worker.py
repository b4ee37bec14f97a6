"""Drips through a real Celery worker on the configured broker (Redis in CI): the beat
pass queues the email, the worker delivers it once; a bulk eCard job runs there too."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail

from contacts.models import Contact
from drips import campaigns, sequences
from drips.models import ContentItem, Enrollment, Recipient, Send, Sequence, Step
from tests.contacts.people import make_person_in
from tests.crm.test_worker import _wait_for, worker  # noqa: F401  (the fixture)
from tests.world import World

TUESDAY_10 = dt.datetime(2030, 1, 8, 10, 0, tzinfo=zoneinfo.ZoneInfo("America/Denver"))


@pytest.mark.worker
def test_the_worker_delivers_a_due_drip_email_and_a_bulk_ecard_once(
    worker: None,  # noqa: F811
    world: World,
) -> None:
    mail.outbox.clear()
    person = make_person_in(world.a, first="Wendy", last="Worker", emails=["wendy@example.com"])
    item = ContentItem.objects.create(
        account=world.a, kind="email", title="Hi", subject="Hello {{ first_name }}", body="Hi"
    )
    sequence = Sequence.objects.create(account=world.a, name="Worker drip")
    Step.objects.create(account=world.a, sequence=sequence, position=1, kind="email",
                        content=item, delay_days=0)  # fmt: skip
    sequences.enroll(people=[person], sequence=sequence, actor=world.alice)
    Enrollment.objects.filter(contact=person).update(next_due_at=TUESDAY_10)

    assert sequences.run_due(TUESDAY_10) == 1
    assert sequences.run_due(TUESDAY_10) == 0  # beat running twice takes nothing more
    assert _wait_for(lambda: Send.objects.filter(contact=person, status="sent").exists(), 60)
    assert [m.subject for m in mail.outbox if m.to == ["wendy@example.com"]] == ["Hello Wendy"]

    card = ContentItem.objects.get(account=world.a, key="ecard-new-year")
    campaign = campaigns.start(account=world.a, actor=world.alice, content=card,
                               people=Contact.objects.filter(pk=person.pk), label="Wendy",
                               skip_cold=True)  # fmt: skip
    assert _wait_for(
        lambda: Recipient.objects.filter(campaign=campaign, status="sent").exists(), 60
    )
    assert len([m for m in mail.outbox if m.to == ["wendy@example.com"]]) == 2
