"""The contacts list: the call-down order, sorting, search, every filter, and a constant
number of queries whatever its length."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import Address, Contact, Email, Phone
from contacts.selectors import LIST_PAGE_SIZE, contact_list
from contacts.services import (
    AddressInput,
    contact_log,
    contact_mark_deceased,
    contacts_trash,
    phone_set_status,
)
from tests.contacts.conftest import MakePerson
from tests.contacts.people import category
from tests.world import World

# The people the shared world already has in Alpha Realty.
WORLD_CONTACT = "alphafirst alphalast"  # contacts database, called just now
WORLD_PROSPECT = "alphalead alphaprospect"  # prospects database, never contacted


def listed(client: Client, query: str = "", **params: Any) -> list[str]:
    """The names on the list page, top to bottom."""
    response = client.get(f"/contacts/?{query}", params)
    assert response.status_code == 200
    return [str(c) for c in response.context["page"].object_list]


def contacted_days_ago(contact: Contact, days: int) -> None:
    Contact.objects.filter(pk=contact.pk).update(
        last_contacted_at=timezone.now() - timedelta(days=days)
    )


def in_year_1980(day: date) -> date:
    """A birth date on ``day``'s month and day (1980 is a leap year, so Feb 29 exists)."""
    return day.replace(year=1980)


# ---- order -----------------------------------------------------------------------------


def test_it_lists_the_never_contacted_first_then_the_longest_silent(
    alice: Client, make_person: MakePerson
) -> None:
    recent = make_person(first="Recent")
    never_1 = make_person(first="Never1")
    oldest = make_person(first="Oldest")
    never_2 = make_person(first="Never2")
    contacted_days_ago(recent, 5)
    contacted_days_ago(oldest, 400)

    assert listed(alice) == [str(never_1), str(never_2), "Oldest", "Recent", WORLD_CONTACT]
    assert never_1.pk < never_2.pk


def test_it_sends_a_person_to_the_bottom_after_a_connected_call(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    first = make_person(first="First")
    make_person(first="Second")
    contacted_days_ago(make_person(first="Third"), 30)
    assert listed(alice)[0] == "First"

    contact_log(contact=first, actor=world.alice, kind="call_connected")

    assert listed(alice) == ["Second", "Third", WORLD_CONTACT, "First"]


def test_it_leaves_a_person_in_place_after_an_unanswered_call(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    first = make_person(first="First")
    make_person(first="Second")

    contact_log(contact=first, actor=world.alice, kind="no_answer")
    contact_log(contact=first, actor=world.alice, kind="left_message")

    assert listed(alice)[:2] == ["First", "Second"]


def test_it_sorts_by_name(alice: Client, make_person: MakePerson) -> None:
    make_person(first="Zoe", last="Adams")
    make_person(first="Bea", last="Young")
    make_person(first="Al", last="Young")

    mine = ["Zoe Adams", "Al Young", "Bea Young"]
    assert [name for name in listed(alice, sort="name") if name in mine] == mine


def test_it_sorts_by_created(alice: Client, make_person: MakePerson) -> None:
    make_person(first="Middle")
    older = make_person(first="Older")
    make_person(first="Newest")
    Contact.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=900))

    assert listed(alice, sort="created")[:1] == ["Older"]
    newest_first = listed(alice, sort="-created")
    assert newest_first[:2] == ["Newest", "Middle"]
    assert newest_first[-1] == "Older"


# ---- search ----------------------------------------------------------------------------


@pytest.fixture
def searchable(make_person: MakePerson) -> None:
    make_person(
        first="José",
        last="García-Muñoz",
        phones=["(303) 555-0188"],
        emails=["pepe@casa.example"],
        addresses=[AddressInput(street="77 Peña Blvd", city="Denver", state="CO")],
    )
    make_person(
        first="Jack",
        last="Smith",
        company="Smith Roofing",
        phones=["+1 970 555 0142"],
        emails=["jack@roofs.example"],
        addresses=[AddressInput(street="12 Elm St", unit="Apt 4", city="Loveland", state="CO")],
    )
    make_person(first="Jackie", last="Chan", phones=["720-555-9999"])


@pytest.mark.usefixtures("searchable")
@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("jos", {"José García-Muñoz"}),
        ("JOSE", {"José García-Muñoz"}),
        ("garcia", {"José García-Muñoz"}),
        ("muñ", {"José García-Muñoz"}),
        ("munoz", {"José García-Muñoz"}),
        ("jack", {"Jack Smith", "Jackie Chan"}),
        ("smi", {"Jack Smith"}),
        ("jack smi", {"Jack Smith"}),
        ("roofing", {"Jack Smith"}),
        ("ckie", {"Jackie Chan"}),
        ("555-01", {"José García-Muñoz", "Jack Smith", WORLD_CONTACT}),
        ("(970) 555", {"Jack Smith", WORLD_CONTACT}),
        ("970.555.0142", {"Jack Smith"}),
        ("+1 970 555 0142", {"Jack Smith"}),
        ("9705550142", {"Jack Smith"}),
        ("5550188", {"José García-Muñoz"}),
        ("720 555", {"Jackie Chan"}),
        ("casa.example", {"José García-Muñoz"}),
        ("JACK@ROOFS", {"Jack Smith"}),
        ("pena blvd", {"José García-Muñoz"}),
        ("Elm St", {"Jack Smith"}),
        ("nobody-like-this", set()),
    ],
)
def test_it_finds_people_by_any_fragment(alice: Client, q: str, found: set[str]) -> None:
    assert set(listed(alice, q=q)) == found


def test_it_never_finds_another_accounts_people(alice: Client, world: World) -> None:
    assert listed(alice, q="bravo") == []
    assert listed(alice, q="bravo", database="all") == []


# ---- filters ---------------------------------------------------------------------------


def _mine(names: list[str], *, of: set[str]) -> set[str]:
    return set(names) & of


def test_it_filters_by_categories_any_all_and_none(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    make_person(first="Xmas", categories=["christmas"])
    make_person(first="Top", categories=["top100"])
    make_person(first="Both", categories=["christmas", "top100"])
    make_person(first="Neither", categories=["vendor"])
    mine = {"Xmas", "Top", "Both", "Neither"}
    xmas, top = category(world.a, "christmas").pk, category(world.a, "top100").pk

    assert _mine(listed(alice, f"cat_any={xmas}&cat_any={top}"), of=mine) == {
        "Xmas",
        "Top",
        "Both",
    }
    assert _mine(listed(alice, f"cat_all={xmas}&cat_all={top}"), of=mine) == {"Both"}
    assert _mine(listed(alice, f"cat_none={xmas}"), of=mine) == {"Top", "Neither"}
    assert _mine(listed(alice, f"cat_none={xmas}&cat_none={top}"), of=mine) == {"Neither"}
    assert _mine(listed(alice, f"cat_any={top}&cat_none={xmas}"), of=mine) == {"Top"}


def test_it_refuses_another_accounts_category_in_a_filter(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    make_person(first="Xmas", categories=["christmas"])
    theirs = category(world.b, "christmas")

    response = alice.get("/contacts/", {"cat_any": theirs.pk})

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert response.context["filter"].errors


def test_it_filters_people_missing_a_way_to_reach_them(
    alice: Client, make_person: MakePerson
) -> None:
    home = AddressInput(street="1 Main St", city="Ault", state="CO")
    make_person(first="Full", phones=["9705550100"], emails=["f@example.com"], addresses=[home])
    make_person(first="NoMail", phones=["9705550101"], emails=["m@example.com"])
    make_person(first="NoPhone", emails=["p@example.com"], addresses=[home])
    make_person(first="NoEmail", phones=["9705550102"], addresses=[home])
    make_person(first="Nothing")
    returned = make_person(first="Returned", phones=["9705550103"], addresses=[home])
    Address.objects.filter(contact=returned).update(status="returned")
    mine = {"Full", "NoMail", "NoPhone", "NoEmail", "Nothing", "Returned"}

    assert _mine(listed(alice, missing="mailing"), of=mine) == {"NoMail", "Nothing", "Returned"}
    assert _mine(listed(alice, missing="phone"), of=mine) == {"NoPhone", "Nothing"}
    assert _mine(listed(alice, missing="email"), of=mine) == {"NoEmail", "Nothing", "Returned"}
    assert _mine(listed(alice, missing="all"), of=mine) == {"Nothing"}


def test_it_filters_bad_and_dnc_phones(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    bad = make_person(first="Bad", phones=["9705550100", "9705550101"])
    dnc = make_person(first="Dnc", phones=["9705550102"])
    make_person(first="Fine", phones=["9705550103"])
    phone_set_status(phone=bad.phones.last(), status="bad", actor=world.alice)  # type: ignore[arg-type]
    phone_set_status(phone=dnc.phones.get(), status="dnc", actor=world.alice)

    assert listed(alice, phone="bad") == ["Bad"]
    assert listed(alice, phone="dnc") == ["Dnc"]


@pytest.mark.parametrize("status", ["opted_out", "complaint", "hard_bounce"])
def test_it_filters_by_email_status(alice: Client, make_person: MakePerson, status: str) -> None:
    hit = make_person(first="Hit", emails=["hit@example.com", "other@example.com"])
    make_person(first="Fine", emails=["fine@example.com"])
    Email.objects.filter(contact=hit, address="hit@example.com").update(status=status)

    assert listed(alice, email_status=status) == ["Hit"]


def test_it_filters_people_not_contacted_for_n_days(alice: Client, make_person: MakePerson) -> None:
    contacted_days_ago(make_person(first="Long"), 120)
    contacted_days_ago(make_person(first="Lately"), 10)
    make_person(first="Never")

    assert listed(alice, stale_days=90) == ["Never", "Long"]
    assert listed(alice, stale_days=5) == ["Never", "Long", "Lately"]


def test_it_filters_birthdays_and_anniversaries_this_week(
    alice: Client, make_person: MakePerson
) -> None:
    today = timezone.localdate()
    make_person(first="Today", birthday=in_year_1980(today))
    make_person(first="Soon", birthday=in_year_1980(today + timedelta(days=6)))
    make_person(first="Later", birthday=in_year_1980(today + timedelta(days=8)))
    make_person(first="Yesterday", birthday=in_year_1980(today - timedelta(days=1)))
    make_person(first="House", home_anniversary=(today + timedelta(days=2)).replace(year=2012))

    assert set(listed(alice, occasion="birthday_week")) == {"Today", "Soon"}
    assert listed(alice, occasion="anniversary_week") == ["House"]


def test_it_filters_birthdays_and_anniversaries_this_month(
    alice: Client, make_person: MakePerson
) -> None:
    first_of_month = timezone.localdate().replace(day=1)
    next_month = (first_of_month + timedelta(days=32)).replace(day=1)
    last_of_month = next_month - timedelta(days=1)
    make_person(first="First", birthday=in_year_1980(first_of_month))
    make_person(first="Last", birthday=in_year_1980(last_of_month))
    make_person(first="Next", birthday=in_year_1980(next_month))
    make_person(first="House", home_anniversary=last_of_month.replace(year=2004))
    make_person(first="NotHouse", home_anniversary=next_month.replace(year=2004))

    assert set(listed(alice, occasion="birthday_month")) == {"First", "Last"}
    assert listed(alice, occasion="anniversary_month") == ["House"]


def test_it_finds_next_weeks_birthdays_across_new_year(
    world: World, make_person: MakePerson, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_person(first="NewYear", birthday=date(1970, 1, 2))
    make_person(first="Eve", birthday=date(1970, 12, 31))
    make_person(first="Passed", birthday=date(1970, 12, 27))
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2025, 12, 29))

    found = contact_list(account=world.a, params={"occasion": "birthday_week"}).qs

    assert {str(c) for c in found} == {"NewYear", "Eve"}


def test_it_lists_a_database_or_both(alice: Client, make_person: MakePerson) -> None:
    make_person(first="Lead", database="prospects")
    make_person(first="Friend")

    assert set(listed(alice)) == {"Friend", WORLD_CONTACT}
    assert set(listed(alice, database="contacts")) == {"Friend", WORLD_CONTACT}
    assert set(listed(alice, database="prospects")) == {"Lead", WORLD_PROSPECT}
    assert set(listed(alice, database="all")) == {
        "Lead",
        "Friend",
        WORLD_CONTACT,
        WORLD_PROSPECT,
    }


def test_it_never_lists_the_trash(alice: Client, world: World, make_person: MakePerson) -> None:
    gone = make_person(first="Gone", phones=["9705550100"], categories=["christmas"])
    contacts_trash(contacts=Contact.objects.filter(pk=gone.pk), actor=world.alice)
    xmas = category(world.a, "christmas").pk

    for params in ({}, {"database": "all"}, {"q": "gone"}, {"q": "5550100"}, {"cat_any": xmas}):
        assert "Gone" not in listed(alice, **params), params


def test_it_still_lists_the_deceased_with_a_badge(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    mary = make_person(first="Mary")
    contact_mark_deceased(contact=mary, actor=world.alice)

    response = alice.get("/contacts/")

    assert "Mary" in [str(c) for c in response.context["page"].object_list]
    assert "deceased" in response.content.decode()


def test_it_never_lists_another_accounts_people(alice: Client, world: World) -> None:
    theirs = set(Contact.objects.filter(account=world.b).values_list("pk", flat=True))
    assert theirs

    for params in ({}, {"database": "all"}, {"database": "prospects"}, {"sort": "name"}):
        response = alice.get("/contacts/", params)
        shown = {c.pk for c in response.context["page"].object_list}
        assert not shown & theirs, params
        assert "bravo" not in response.content.decode().lower(), params


def test_it_says_when_no_one_matches(alice: Client) -> None:
    response = alice.get("/contacts/", {"q": "nobody-like-this"})

    assert "Nobody matches these filters" in response.content.decode()


def test_it_shows_an_invalid_filter_as_an_error_not_a_crash(alice: Client) -> None:
    response = alice.get("/contacts/", {"stale_days": "soon", "sort": "sideways"})

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []


# ---- queries ---------------------------------------------------------------------------


def _people(make_person: MakePerson, world: World, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        person = make_person(
            first=f"Person{n:02}",
            last="Load",
            phones=[f"970555{n:04}"],
            emails=[f"p{n}@example.com"],
            addresses=[AddressInput(street=f"{n} Main St", city="Ault", state="CO")],
            categories=["christmas", "top100"],
        )
        if n % 3 == 0:
            phone_set_status(phone=person.phones.get(), status="bad", actor=world.alice)
        if n % 4 == 0:
            Phone.objects.create(account=world.a, contact=person, raw="ask at work")


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_it_reads_the_list_in_a_fixed_number_of_queries(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    _people(make_person, world, 3)
    _queries(alice, "/contacts/")  # warm the caches (content types, session)
    with_3 = _queries(alice, "/contacts/")
    with_3_by_name = _queries(alice, "/contacts/?sort=name&q=load")

    _people(make_person, world, 27, start=3)
    assert Contact.objects.for_account(world.a).filter(last_name="Load").count() > LIST_PAGE_SIZE

    assert _queries(alice, "/contacts/") == with_3
    assert _queries(alice, "/contacts/?page=2") == with_3
    assert _queries(alice, "/contacts/?sort=name&q=load") == with_3_by_name
    assert _queries(alice, "/contacts/?sort=name&q=load&page=2") == with_3_by_name


def test_it_reads_the_htmx_results_in_a_fixed_number_of_queries(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    headers = {"HX-Request": "true", "HX-Target": "contact-results"}
    _people(make_person, world, 3)
    alice.get("/contacts/", headers=headers)
    with CaptureQueriesContext(connection) as with_3:
        alice.get("/contacts/", headers=headers)

    _people(make_person, world, 30, start=3)
    with CaptureQueriesContext(connection) as with_33:
        response = alice.get("/contacts/?page=2", headers=headers)

    assert len(with_33) == len(with_3)
    html = response.content.decode()
    assert "<html" not in html
    assert 'class="table contact-table"' in html


def test_it_offers_this_accounts_categories_and_plain_labels_in_the_filters(
    alice: Client, world: World
) -> None:
    html = alice.get("/contacts/").content.decode()
    xmas = category(world.a, "christmas")

    for name in ("cat_any", "cat_all", "cat_none"):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
        assert select, name
        assert f'<option value="{xmas.pk}">Christmas</option>' in select.group(0)
        assert "bravo" not in select.group(0)
    assert "[invalid name]" not in html
    assert "Birthday or anniversary" in html
