"""Birthdays and home anniversaries: this week's list, call / eCard / done once a year,
automatic eCards on the day (never twice, never to Cold), and the Monday digest."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client

from drips import occasions
from drips.models import ContentItem, OccasionDone, OccasionSettings, Recipient
from tests.contacts.people import make_person_in
from tests.world import World

pytestmark = pytest.mark.django_db
DENVER = zoneinfo.ZoneInfo("America/Denver")
# Wednesday 25 November 2026; the week runs Monday 23 to Sunday 29.
WEDNESDAY_10 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=DENVER)


@pytest.fixture
def people(world: World) -> dict[str, Any]:
    make = make_person_in
    return {
        "birthday": make(world.a, first="Bree", last="Day", emails=["bree@example.com"],
                         birthday=dt.date(1980, 11, 25)),
        "home": make(world.a, first="Hank", last="Home", emails=["hank@example.com"],
                     home_anniversary=dt.date(2019, 11, 27)),
        "cold": make(world.a, first="Cole", last="Cold", emails=["cole@example.com"],
                     birthday=dt.date(1975, 11, 25), categories=["cold"]),
        "later": make(world.a, first="Lou", last="Later", birthday=dt.date(1990, 12, 10)),
    }  # fmt: skip


def _week(world: World) -> list[occasions.Entry]:
    return occasions.entries(world.a, occasions.week_of(WEDNESDAY_10.date()))


def test_the_week_lists_birthdays_and_home_anniversaries_in_date_order(
    world: World, people: Any
) -> None:
    found = _week(world)
    assert [(e.person.first_name, e.occasion, e.on.day) for e in found] == [
        ("Cole", "birthday", 25), ("Bree", "birthday", 25), ("Hank", "anniversary", 27),
    ]  # fmt: skip
    assert found[2].years == 7


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_the_page_sends_an_ecard_and_marks_done_once(
    alice: Client, world: World, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    card = ContentItem.objects.get(account=world.a, key="ecard-birthday")
    page = alice.get("/drips/occasions/")
    assert b"Bree Day" in page.content and b"7 years in their home" in page.content
    url = f"/drips/occasions/{people['birthday'].pk}/birthday/"
    with django_capture_on_commit_callbacks(execute=True):
        alice.post(url, {"action": "ecard", "card": card.pk, "year": "2026"})
        alice.post(url, {"action": "ecard", "card": card.pk, "year": "2026"})
    assert [m.to for m in mail.outbox] == [["bree@example.com"]]
    assert "Bree" in mail.outbox[0].alternatives[0][0]
    done = OccasionDone.objects.get(contact=people["birthday"])
    assert (done.how, done.year, done.by) == ("ecard", 2026, world.alice)
    alice.post(f"/drips/occasions/{people['home'].pk}/anniversary/", {"action": "called"})
    assert OccasionDone.objects.get(contact=people["home"]).how == "called"
    assert b"Called" in alice.get("/drips/occasions/").content


def test_automatic_ecards_go_once_on_the_day_and_never_to_cold(
    world: World, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    chosen = occasions.settings_for(world.a.pk)
    chosen.birthday_card = ContentItem.objects.get(account=world.a, key="ecard-birthday")
    chosen.auto_birthday = True
    chosen.weekly_digest = False
    chosen.save()
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(WEDNESDAY_10.replace(hour=8), tick=False), capture(execute=True):
        occasions.run_hourly(world.a)
    assert mail.outbox == []  # before 9:00
    for hour in (10, 11):
        with (
            time_machine.travel(WEDNESDAY_10.replace(hour=hour), tick=False),
            capture(execute=True),
        ):
            occasions.run_hourly(world.a)
    assert [m.to for m in mail.outbox] == [["bree@example.com"]]
    assert OccasionDone.objects.get(contact=people["birthday"]).how == "auto_ecard"
    assert not OccasionDone.objects.filter(contact=people["cold"]).exists()
    assert Recipient.objects.filter(contact=people["birthday"], status="sent").count() == 1


def test_the_digest_goes_to_the_owner_once_a_week(world: World, people: Any) -> None:
    mail.outbox.clear()
    for day in (23, 23, 24, 25):  # Monday twice, then Tuesday and Wednesday
        with time_machine.travel(dt.datetime(2026, 11, day, 8, tzinfo=DENVER), tick=False):
            occasions.run_hourly(world.a)
    digests = [m for m in mail.outbox if "birthdays and anniversaries" in m.subject]
    assert len(digests) == 1 and digests[0].to == [world.alice.email]
    assert "Bree Day" in digests[0].body and "Hank Home" in digests[0].body
    assert OccasionSettings.objects.get(account=world.a).digest_sent_on == dt.date(2026, 11, 23)


def test_turning_on_automatic_cards_needs_a_card(alice: Client, world: World) -> None:
    response = alice.post("/drips/occasions/", {"auto_birthday": "on", "birthday_card": "",
                                                "weekly_digest": "on"})  # fmt: skip
    assert response.status_code == 200 and b"Choose the eCard to send." in response.content


def test_new_settings_start_with_the_seeded_cards(world: World) -> None:
    OccasionSettings.objects.filter(account=world.c).delete()
    chosen = occasions.settings_for(world.c.pk)
    assert chosen.birthday_card and chosen.birthday_card.key == "ecard-birthday"
    assert chosen.anniversary_card and chosen.anniversary_card.key == "ecard-home-anniversary"
    assert not chosen.auto_birthday and chosen.weekly_digest
