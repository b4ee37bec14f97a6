"""Bulk email and eCards: who is left out and why, the test send, sending from the
worker job exactly once, cancelling, and the people list's bulk actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from contacts.models import Contact, EmailStatus
from crm.models import Category, Job
from drips import campaigns, verp
from drips.models import Campaign, ContentItem, Enrollment, Recipient, Sequence
from tests.contacts.people import category, make_person_in
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def sphere(world: World) -> dict[str, Contact]:
    """Five people in Sphere: one reachable, and one left out for each reason."""
    make = make_person_in
    people = {
        "ok": make(world.a, first="Olive", last="Ok", emails=["olive@example.com"],
                   categories=["sphere"]),
        "none": make(world.a, first="Nora", last="None", categories=["sphere"]),
        "out": make(world.a, first="Otto", last="Out", emails=["otto@example.com"],
                    categories=["sphere"]),
        "cold": make(world.a, first="Cole", last="Cold", emails=["cole@example.com"],
                     categories=["sphere", "cold"]),
        "bounced": make(world.a, first="Bea", last="Bounce", emails=["bea@example.com"],
                        categories=["sphere"]),
    }  # fmt: skip
    people["out"].emails.update(status=EmailStatus.OPTED_OUT)
    people["bounced"].emails.update(status=EmailStatus.HARD_BOUNCE)
    return people


def _ecard(world: World) -> ContentItem:
    return ContentItem.objects.get(account=world.a, key="ecard-thanksgiving")


def _sphere(world: World) -> Category:
    return category(world.a, "sphere")


def test_the_counts_say_who_is_left_out_and_why(world: World, sphere: Any) -> None:
    people = Contact.objects.filter(categories=_sphere(world))
    counted = campaigns.breakdown(people, skip_cold=True)
    assert (counted.total, counted.sending) == (5, 1)
    assert dict(counted.skipped) == {
        "No email address": 1,
        "Email opted out": 1,
        "Email hard bounce": 1,
        "In Cold: no automations": 1,
    }
    assert campaigns.breakdown(people, skip_cold=False).sending == 2  # Cole when not chosen


def test_a_test_send_goes_to_the_user_only_with_a_harmless_unsubscribe_link(
    alice: Client, world: World, sphere: Any
) -> None:
    mail.outbox.clear()
    form = {"category": _sphere(world).pk, "content": _ecard(world).pk, "skip_cold": "1"}
    response = alice.post("/drips/bulk/new/", {**form, "action": "test"})
    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [[world.alice.email]]
    message = mail.outbox[0]
    assert message.subject.startswith("[Test] ")
    assert "List-Unsubscribe" not in message.extra_headers
    html = message.alternatives[0][0]
    assert "Olive" in html and "/u/" not in html
    assert (
        not Campaign.objects.filter(account=world.a, created_by=world.alice)
        .exclude(title__contains="alpha")
        .exists()
    )


def test_sending_reaches_only_the_open_addresses_once_with_unsubscribe_and_verp(
    alice: Client, world: World, sphere: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        form = {"category": _sphere(world).pk, "content": _ecard(world).pk, "skip_cold": "1"}
        response = alice.post("/drips/bulk/new/", {**form, "action": "send"})
    campaign = Campaign.objects.get(account=world.a, content=_ecard(world))
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert [m.to for m in mail.outbox] == [["olive@example.com"]]
    message = mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/u/" in message.extra_headers["List-Unsubscribe"]
    assert "Olive" in message.alternatives[0][0] and "<script" not in message.alternatives[0][0]
    assert "Thanksgiving" in message.body  # the plain-text part of the card
    row = Recipient.objects.get(campaign=campaign, status="sent")
    assert verp.read(message.from_email) == verp.Ref(world.a.pk, verp.CAMPAIGN, row.pk)
    assert campaigns.counts(campaign) == {"queued": 0, "sent": 1, "skipped": 4, "failed": 0}
    job = Job.objects.get(pk=campaign.job_id)
    assert job.status == "done" and "Sent 1" in job.message
    # The job again (a redelivery after a crash): nothing goes out twice.
    job.status = "running"
    job.save()
    campaigns.run_campaign_job(job)
    assert len(mail.outbox) == 1
    page = alice.get(campaign.get_absolute_url())
    assert b"Email opted out" in page.content and b"Olive" in page.content


def test_cancelled_campaign_sends_nothing_more(world: World, sphere: Any) -> None:
    mail.outbox.clear()
    campaign = campaigns.start(account=world.a, actor=world.alice, content=_ecard(world),
                               people=Contact.objects.filter(categories=_sphere(world)),
                               label="Sphere", skip_cold=False)  # fmt: skip
    campaigns.cancel(campaign)
    campaigns.run_campaign_job(Job.objects.get(pk=campaign.job_id))
    assert mail.outbox == []
    assert not Recipient.objects.filter(campaign=campaign, status="queued").exists()
    assert Recipient.objects.filter(campaign=campaign, reason__startswith="Cancelled").count() == 2


def test_a_template_with_an_unknown_field_fails_visibly_and_sends_nothing(
    world: World, sphere: Any
) -> None:
    mail.outbox.clear()
    item = ContentItem.objects.create(account=world.a, kind="email", title="Broken",
                                      subject="Hi", body="Dear {{ spouse.ssn }}")  # fmt: skip
    campaign = campaigns.start(account=world.a, actor=world.alice, content=item,
                               people=Contact.objects.filter(pk=sphere["ok"].pk),
                               label="One", skip_cold=True)  # fmt: skip
    campaigns.run_campaign_job(Job.objects.get(pk=campaign.job_id))
    assert mail.outbox == []
    row = Recipient.objects.get(campaign=campaign)
    assert row.status == "failed" and "not a merge field" in row.reason


def test_another_accounts_category_or_content_is_not_found(
    alice: Client, world: World, sphere: Any
) -> None:
    theirs = Category.objects.filter(account=world.b).first()
    assert alice.get(f"/drips/bulk/new/?category={theirs.pk}").status_code == 404
    their_item = ContentItem.objects.filter(account=world.b).first()
    response = alice.post("/drips/bulk/new/", {"category": _sphere(world).pk,
                          "content": their_item.pk, "action": "send"})  # fmt: skip
    assert (
        response.status_code == 404
        and not Campaign.objects.filter(account=world.a, created_by=world.alice)
        .exclude(title__contains="alpha")
        .exists()
    )


def test_the_people_list_sends_ticked_people_to_the_composer(
    alice: Client, world: World, sphere: Any
) -> None:
    ids = [sphere["ok"].pk, sphere["cold"].pk]
    response = alice.post("/contacts/bulk/", {"action": "send_email", "ids": ids, "query": ""})
    assert response.status_code == 302
    page = alice.get(response["Location"])
    assert b"2 people ticked on the list" in page.content
    assert b"Send an email or eCard" in alice.get("/contacts/").content


def test_the_people_list_puts_a_filter_result_on_a_drip(
    alice: Client, world: World, sphere: Any
) -> None:
    sequence = Sequence.objects.filter(account=world.a).first()
    query = f"cat_any={_sphere(world).pk}"
    response = alice.post("/contacts/bulk/", {"action": "drip_enroll", "all_matching": "1",
                                              "query": query})  # fmt: skip
    assert response.status_code == 302 and "/drips/sequences/apply/" in response["Location"]
    page = alice.get(response["Location"])
    assert b"Start the drip for 5 people" in page.content
    alice.post("/drips/sequences/apply/", {"query": query, "start": f"{sequence.pk}:2"})
    enrolled = Enrollment.objects.filter(sequence=sequence)
    assert enrolled.count() == 5 and {e.next_position for e in enrolled} == {2}
    # Again: nobody is put on it twice.
    alice.post("/drips/sequences/apply/", {"query": query, "start": f"{sequence.pk}:1"})
    assert Enrollment.objects.filter(sequence=sequence).count() == 5
    # A step the sequence does not have puts nobody on it, and says so.
    other = Sequence.objects.filter(account=world.a).exclude(pk=sequence.pk).first()
    response = alice.post("/drips/sequences/apply/", {"query": query, "start": f"{other.pk}:99"},
                          follow=True)  # fmt: skip
    assert b"has no step 99" in response.content
    assert not Enrollment.objects.filter(sequence=other).exists()
