"""Hygiene pages: the lists of people who need a look, and this year's list decay."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from contacts.hygiene import list_decay, year_start
from contacts.models import Address, Contact, Email, Phone
from contacts.services import contacts_trash
from tests.contacts.hygiene_helpers import (
    VALID_ADDRESS,
    count_queries,
    days_ago,
    in_category,
    person,
)
from tests.world import World

LIST_URLS = {
    "top100": "/contacts/hygiene/top100/",
    "christmas": "/contacts/hygiene/christmas/",
    "unreachable": "/contacts/hygiene/unreachable/",
    "silent-prospects": "/contacts/hygiene/silent-prospects/",
}


def names(response: object) -> list[str]:
    return [c.full_name for c in response.context["page"].object_list]  # type: ignore[attr-defined]


def _matching(world: World, slug: str, first: str, account: object = None) -> Contact:
    """One person who belongs on the hygiene list ``slug``."""
    account = account or world.a
    owner = world.alice if account == world.a else world.bob
    if slug == "top100":
        return person(
            account, owner, first, "Stale", categories=["top100"], phones=["970 555 0101"]
        )
    if slug == "christmas":
        return person(account, owner, first, "Noaddr", categories=["christmas"])
    if slug == "unreachable":
        return person(account, owner, first, "Nameonly")
    return person(
        account, owner, first, "Silent", database="prospects", last_contacted_at=days_ago(800)
    )


class TestHygieneIndex:
    def test_it_links_every_list_and_loads_its_count(self, alice: Client, world: World) -> None:
        html = alice.get("/contacts/hygiene/").content.decode()
        for url in LIST_URLS.values():
            assert f'href="{url}"' in html
            assert f'hx-get="{url}count/"' in html
        assert 'hx-get="/contacts/hygiene/decay/"' in html
        assert 'href="/contacts/christmas-test/"' in html
        assert 'href="/contacts/cold-cleanup/"' in html

    def test_it_counts_each_list(self, alice: Client, world: World) -> None:
        for name in ("Tina", "Tom"):
            _matching(world, "top100", name)
        _matching(world, "top100", "bravotop", account=world.b)
        response = alice.get("/contacts/hygiene/top100/count/")
        assert response.status_code == 200
        assert response.context["count"] == 2
        assert alice.get("/contacts/hygiene/silent-prospects/count/").context["count"] == 0

    def test_it_counts_this_years_decay_as_counts_and_shares(
        self, alice: Client, world: World
    ) -> None:
        now = timezone.now()
        last_year = now.replace(year=now.year - 1)
        someone = person(
            world.a,
            world.alice,
            "Dee",
            "Decay",
            phones=["970 555 0111", "970 555 0112", "970 555 0113"],
            emails=["bounce@example.com", "complain@example.com", "old@example.com"],
            addresses=[VALID_ADDRESS],
        )
        Email.objects.filter(address="bounce@example.com").update(
            status="hard_bounce", status_changed_at=now
        )
        Email.objects.filter(address="complain@example.com").update(
            status="complaint", status_changed_at=now
        )
        Email.objects.filter(address="old@example.com").update(
            status="hard_bounce", status_changed_at=last_year
        )
        Address.objects.filter(contact=someone).update(status="returned", status_changed_at=now)
        Phone.objects.filter(contact=someone, raw="970 555 0111").update(
            status="bad", status_changed_at=now
        )
        Phone.objects.filter(contact=someone, raw="970 555 0112").update(
            status="dnc", status_changed_at=now
        )
        # The alpha person of the world adds one ok phone, email and address of their own.
        decay = {d.label: d for d in alice.get("/contacts/hygiene/decay/").context["decay"]}
        emails = decay["Emails bounced or complained"]
        assert (emails.count, emails.total) == (2, 4)
        assert emails.percent == "50.0%"
        addresses = decay["Addresses returned"]
        assert (addresses.count, addresses.total) == (1, 2)
        phones = decay["Phones gone BAD"]
        assert (phones.count, phones.total) == (1, 4)

    def test_it_starts_the_year_at_midnight_in_the_accounts_time_zone(self, world: World) -> None:
        denver = ZoneInfo("America/Denver")
        world.a.time_zone = "America/Denver"
        someone = person(world.a, world.alice, "Ty", "Zone", emails=["a@x.com", "b@x.com"])
        new_year = datetime(2031, 1, 1, tzinfo=denver)
        Email.objects.filter(address="a@x.com").update(
            status="hard_bounce", status_changed_at=datetime(2031, 1, 1, 0, 30, tzinfo=denver)
        )
        # Already 2031 in UTC, still 2030 in Denver.
        Email.objects.filter(address="b@x.com").update(
            status="hard_bounce", status_changed_at=datetime(2030, 12, 31, 23, 30, tzinfo=denver)
        )
        now = datetime(2031, 6, 1, tzinfo=denver)
        assert year_start(world.a, now) == new_year
        emails = list_decay(account=world.a, now=now)[0]
        assert emails.count == 1
        assert someone.pk

    def test_it_leaves_the_trash_and_other_accounts_out_of_the_figures(
        self, alice: Client, world: World
    ) -> None:
        gone = person(world.a, world.alice, "Gone", "Away", emails=["gone@example.com"])
        Email.objects.filter(contact=gone).update(
            status="hard_bounce", status_changed_at=timezone.now()
        )
        contacts_trash(contacts=Contact.objects.filter(pk=gone.pk), actor=world.alice)
        Email.objects.filter(account=world.b).update(
            status="hard_bounce", status_changed_at=timezone.now()
        )
        emails = alice.get("/contacts/hygiene/decay/").context["decay"][0]
        assert (emails.count, emails.total) == (0, 1)

    def test_it_shows_no_other_accounts_data(self, alice: Client, world: World) -> None:
        before = {
            slug: alice.get(f"{url}count/").context["count"] for slug, url in LIST_URLS.items()
        }
        for slug in LIST_URLS:
            _matching(world, slug, f"bravo{slug}", account=world.b)
        assert b"bravo" not in alice.get("/contacts/hygiene/").content.lower()
        assert b"bravo" not in alice.get("/contacts/hygiene/decay/").content.lower()
        for slug, url in LIST_URLS.items():
            assert b"bravo" not in alice.get(url).content.lower(), url
            assert alice.get(f"{url}count/").context["count"] == before[slug], slug


class TestTop100:
    def test_it_lists_top100_not_contacted_in_90_days(self, alice: Client, world: World) -> None:
        person(world.a, world.alice, "Never", "Called", categories=["top100"])
        person(
            world.a,
            world.alice,
            "Long",
            "Ago",
            categories=["top100"],
            last_contacted_at=days_ago(91),
        )
        person(
            world.a,
            world.alice,
            "Just",
            "Spoke",
            categories=["top100"],
            last_contacted_at=days_ago(30),
        )
        person(world.a, world.alice, "Not", "Top", last_contacted_at=days_ago(400))
        response = alice.get(LIST_URLS["top100"])
        assert names(response) == ["Never Called", "Long Ago"]

    def test_it_never_shows_the_trash(self, alice: Client, world: World) -> None:
        gone = _matching(world, "top100", "Trashed")
        contacts_trash(contacts=Contact.objects.filter(pk=gone.pk), actor=world.alice)
        assert names(alice.get(LIST_URLS["top100"])) == []


class TestChristmasWithoutAddress:
    def test_it_lists_christmas_people_without_a_valid_mailing_address(
        self, alice: Client, world: World
    ) -> None:
        person(world.a, world.alice, "Ann", "Aaa", categories=["christmas"])
        person(
            world.a,
            world.alice,
            "Bo",
            "Bbb",
            categories=["christmas"],
            addresses=[{"street": "1 Main", "city": ""}],
        )
        returned = person(
            world.a, world.alice, "Cy", "Ccc", categories=["christmas"], addresses=[VALID_ADDRESS]
        )
        Address.objects.filter(contact=returned).update(status="returned")
        person(
            world.a,
            world.alice,
            "Di",
            "Ddd",
            categories=["christmas"],
            addresses=[{**VALID_ADDRESS, "is_mailing": False}],
        )
        person(
            world.a, world.alice, "Ed", "Eee", categories=["christmas"], addresses=[VALID_ADDRESS]
        )
        person(world.a, world.alice, "Fay", "Fff")
        response = alice.get(LIST_URLS["christmas"])
        assert names(response) == ["Ann Aaa", "Bo Bbb", "Cy Ccc", "Di Ddd"]
        html = response.content.decode()
        assert "Mail came back (returned)" in html
        assert "Mailing address incomplete" in html


class TestUnreachable:
    def test_it_lists_people_with_no_way_to_reach_them(self, alice: Client, world: World) -> None:
        person(world.a, world.alice, "Name", "Only")
        bad = person(world.a, world.alice, "Bad", "Phone", phones=["970 555 0144"])
        Phone.objects.filter(contact=bad).update(status="bad")
        out = person(world.a, world.alice, "Opted", "Out", emails=["out@example.com"])
        Email.objects.filter(contact=out).update(status="opted_out")
        person(world.a, world.alice, "Has", "Phone", phones=["970 555 0145"])
        person(world.a, world.alice, "Has", "Email", emails=["has@example.com"])
        person(world.a, world.alice, "Has", "Address", addresses=[VALID_ADDRESS])
        person(world.a, world.alice, "Late", "Person", deceased_on=timezone.localdate())
        prospect = person(world.a, world.alice, "Lead", "Nophone", database="prospects")
        response = alice.get(LIST_URLS["unreachable"])
        assert set(names(response)) == {
            "Name Only",
            "Bad Phone",
            "Opted Out",
            prospect.full_name,
            "alphalead alphaprospect",  # the world's name-only prospect
        }
        assert "Every phone is BAD" in response.content.decode()


class TestSilentProspects:
    def test_it_lists_prospects_silent_two_years_or_more(self, alice: Client, world: World) -> None:
        person(
            world.a,
            world.alice,
            "Old",
            "Contact",
            database="prospects",
            last_contacted_at=days_ago(731),
        )
        person(world.a, world.alice, "Never", "Old", database="prospects", created_at=days_ago(800))
        person(world.a, world.alice, "Never", "New", database="prospects", created_at=days_ago(100))
        person(
            world.a,
            world.alice,
            "Recent",
            "Talk",
            database="prospects",
            last_contacted_at=days_ago(700),
        )
        person(world.a, world.alice, "Old", "Client", last_contacted_at=days_ago(900))
        person(
            world.a,
            world.alice,
            "Already",
            "Cold",
            database="prospects",
            categories=["cold"],
            last_contacted_at=days_ago(900),
        )
        response = alice.get(LIST_URLS["silent-prospects"])
        assert names(response) == ["Never Old", "Old Contact"]

    def test_it_marks_them_all_cold_in_one_click(self, alice: Client, world: World) -> None:
        silent = [_matching(world, "silent-prospects", f"S{i}") for i in range(3)]
        talking = person(
            world.a,
            world.alice,
            "Still",
            "Talking",
            database="prospects",
            last_contacted_at=days_ago(5),
        )
        b_silent = _matching(world, "silent-prospects", "bravosilent", account=world.b)
        response = alice.post("/contacts/hygiene/silent-prospects/mark-cold/")
        assert response.status_code == 302
        assert all(in_category(p, "cold") for p in silent)
        assert not in_category(talking, "cold")
        assert not in_category(b_silent, "cold")
        assert names(alice.get(LIST_URLS["silent-prospects"])) == []

    def test_it_marks_one_row_cold(self, alice: Client, world: World) -> None:
        one, other = (_matching(world, "silent-prospects", name) for name in ("One", "Other"))
        response = alice.post(
            f"/contacts/hygiene/silent-prospects/{one.pk}/mark-cold/", {"page": "1"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/contacts/hygiene/silent-prospects/?page=1"
        assert in_category(one, "cold")
        assert not in_category(other, "cold")

    def test_it_refuses_another_accounts_person(self, alice: Client, world: World) -> None:
        b_silent = _matching(world, "silent-prospects", "bravosilent", account=world.b)
        response = alice.post(f"/contacts/hygiene/silent-prospects/{b_silent.pk}/mark-cold/")
        assert response.status_code == 404
        assert not in_category(b_silent, "cold")


@pytest.mark.parametrize("slug", list(LIST_URLS))
def test_it_pages_each_list_in_a_constant_number_of_queries(
    alice: Client, world: World, slug: str
) -> None:
    url = LIST_URLS[slug]
    for i in range(3):
        _matching(world, slug, f"P{i:02}")
    with_3 = count_queries(alice, url)
    for i in range(3, 30):
        _matching(world, slug, f"P{i:02}")
    with_30 = count_queries(alice, url)
    assert with_3 == with_30
    response = alice.get(url)
    assert len(response.context["page"].object_list) == 25
    assert count_queries(alice, url + "?page=2") == with_30


def test_it_pages_without_counting(alice: Client, world: World) -> None:
    url = LIST_URLS["top100"]
    for i in range(30):
        _matching(world, "top100", f"P{i:02}")
    first = alice.get(url).context["page"]
    assert (len(first.object_list), first.has_next, first.has_previous) == (25, True, False)
    html = alice.get(url).content.decode()
    assert 'href="?page=2"' in html
    assert "showing 1\N{EN DASH}25" in html
    second = alice.get(f"{url}?page=2").context["page"]
    assert (len(second.object_list), second.has_next, second.has_previous) == (5, False, True)
    assert "No more people" in alice.get(f"{url}?page=9").content.decode()
    assert alice.get(f"{url}?page=junk").context["page"].number == 1
