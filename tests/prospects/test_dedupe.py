"""Duplicate detection: quality on a generated noisy set, the hard cases one by one,
dismissals remembered, and accounts kept apart."""

from __future__ import annotations

import pytest

from contacts.models import Contact
from crm.models import Account
from prospects.dedupe import (
    duplicates_dismiss,
    find_duplicates,
    nickname_canon,
    phone_key,
    street_key,
)
from prospects.dedupe_generator import generate, load, quality
from prospects.models import DuplicateDismissal
from tests.prospects.dedupe_helpers import person
from tests.world import World


def _clustered(account: Account, *people: Contact) -> bool:
    wanted = {p.pk for p in people}
    return any(wanted <= set(c["ids"]) for c in find_duplicates(account))


def _cluster_of(account: Account, contact: Contact) -> dict:
    return next(c for c in find_duplicates(account) if contact.pk in c["ids"])


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_it_finds_generated_duplicates_with_high_precision_and_recall(
    world: World, seed: int
) -> None:
    records = generate(1500, seed=seed)
    truth = load(account=world.a, records=records)
    own = set(Contact.objects.filter(account=world.a).values_list("pk", flat=True))
    clusters = [c for c in find_duplicates(world.a) if set(c["ids"]) <= own]
    precision, recall = quality(clusters, truth)
    assert len(truth) > 150
    assert precision >= 0.95, precision
    assert recall >= 0.95, recall


def test_it_normalises_keys() -> None:
    assert phone_key("+1 (970) 555-0123") == phone_key("970.555.0123") == "9705550123"
    assert phone_key("555") == ""
    assert street_key("123 N. Elm St", "80521-1234") == street_key("123 Elm Street", "80521")
    assert nickname_canon("bob") == nickname_canon("robert") == nickname_canon("bobby")
    assert nickname_canon("liz") == nickname_canon("elizabeth")


@pytest.mark.django_db
def test_it_matches_a_nickname_at_the_same_street(world: World) -> None:
    bob = person(world.a, "Bob", "Kellerman", street="412 Mulberry St")
    robert = person(
        world.a, "Robert", "Kellerman", street="412 Mulberry Street", database="prospects"
    )
    cluster = _cluster_of(world.a, bob)
    assert cluster["ids"] == sorted([bob.pk, robert.pk])
    assert "nickname" in cluster["reasons"]
    assert "similar name, same street" in cluster["reasons"]


@pytest.mark.django_db
def test_it_matches_first_and_last_swapped(world: World) -> None:
    a = person(world.a, "Harmon", "Delacroix", email="hd@example.com")
    b = person(world.a, "Delacroix", "Harmon", phone="(303) 555-0177")
    c = person(world.a, "Delacroix", "Harmon", email="HD@Example.com")
    cluster = _cluster_of(world.a, a)
    assert set(cluster["ids"]) >= {a.pk, c.pk}
    assert "same email" in cluster["reasons"]
    assert "first and last swapped" in cluster["reasons"]
    assert b.pk in cluster["ids"]  # the same swapped name and nothing that contradicts it


@pytest.mark.django_db
def test_it_matches_a_phone_typed_in_another_format(world: World) -> None:
    a = person(world.a, "Marisol", "Quintero", phone="(720) 555-0199")
    b = person(world.a, "Marisol", "Quinterro", phone="+1 720.555.0199")
    cluster = _cluster_of(world.a, a)
    assert cluster["ids"] == sorted([a.pk, b.pk])
    assert cluster["reasons"][0] == "same phone"
    assert 0.9 <= cluster["score"] <= 1


@pytest.mark.django_db
def test_it_keeps_a_moved_person_by_phone_and_email(world: World) -> None:
    a = person(world.a, "Liz", "Fairbrook", phone="970-555-0140", street="9 Oak Ct")
    b = person(world.a, "Elizabeth", "Fairbrook", phone="9705550140", street="77 Pine Ln")
    assert _clustered(world.a, a, b)


@pytest.mark.django_db
def test_it_leaves_a_household_line_alone(world: World) -> None:
    a = person(world.a, "Gordon", "Whitlock", phone="970-555-0161")
    b = person(world.a, "Priya", "Anand", phone="970-555-0161")
    assert not _clustered(world.a, a, b)


@pytest.mark.django_db
def test_it_leaves_namesakes_with_different_phones_alone(world: World) -> None:
    a = person(world.a, "James", "Smith", phone="970-555-0101", email="js1@example.com")
    b = person(world.a, "James", "Smith", phone="303-555-0102", email="js2@example.com")
    assert not _clustered(world.a, a, b)


@pytest.mark.django_db
def test_it_skips_people_in_the_trash(world: World) -> None:
    from django.utils import timezone

    a = person(world.a, "Odessa", "Brightwater", email="ob@example.com")
    b = person(world.a, "Odessa", "Brightwater", email="ob@example.com")
    Contact.objects.filter(pk=b.pk).update(deleted_at=timezone.now())
    assert not any(a.pk in c["ids"] for c in find_duplicates(world.a))


@pytest.mark.django_db
def test_it_remembers_not_duplicates(world: World) -> None:
    a = person(world.a, "Tobias", "Merriwether", email="tm@example.com")
    b = person(world.a, "Toby", "Merriwether", email="tm@example.com")
    c = person(world.a, "Tobias", "Merriwether", email="tm@example.com")
    assert _clustered(world.a, a, b, c)
    duplicates_dismiss(account=world.a, actor=world.alice, contacts=[c, a, b])
    rows = DuplicateDismissal.objects.filter(account=world.a, first__in=[a, b, c])
    assert sorted(rows.values_list("first_id", "second_id")) == sorted(
        [(a.pk, b.pk), (a.pk, c.pk), (b.pk, c.pk)]
    )
    assert not any({a.pk, b.pk, c.pk} & set(cl["ids"]) for cl in find_duplicates(world.a))
    duplicates_dismiss(account=world.a, actor=world.alice, contacts=[a, b])  # twice: no error


@pytest.mark.django_db
def test_it_never_clusters_another_accounts_people(world: World) -> None:
    mine = person(world.a, "Winifred", "Alderley", phone="970-555-0188", email="wa@example.com")
    theirs = person(world.b, "Winifred", "Alderley", phone="970-555-0188", email="wa@example.com")
    for cluster in find_duplicates(world.a):
        assert theirs.pk not in cluster["ids"]
    own = set(Contact.objects.filter(account=world.b).values_list("pk", flat=True))
    for cluster in find_duplicates(world.b):
        assert set(cluster["ids"]) <= own
    assert mine.pk
