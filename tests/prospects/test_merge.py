"""Merging people: everything that points at the absorbed person moves to the survivor,
the chosen values win, old URLs redirect, and undo puts it all back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from contacts.models import Address, Contact, ContactCategory, Email, Note, Phone
from contacts.services import AddressInput, note_add, task_create
from crm.models import AuditEntry, Task
from prospects.merge import MERGE_FIELDS, contacts_merge, merge_undo
from prospects.models import Lead, Merge, OpenHouse, OpenHouseVisit
from tests.contacts.people import make_person_in
from tests.world import World


@dataclass
class Pair:
    jack: Contact  # the survivor
    jackie: Contact  # the duplicate, absorbed
    sandy: Contact  # married to the duplicate
    task: Task
    visit: OpenHouseVisit
    lead: Lead


@pytest.fixture
def pair(world: World) -> Pair:
    a = world.a
    jack = make_person_in(
        a,
        first="Jack",
        last="Smith",
        phones=["970 555 0100"],
        emails=["jack@example.com"],
        categories=["christmas"],
    )
    jackie = make_person_in(
        a,
        first="Jackie",
        last="Smith",
        company="Acme Plumbing",
        birthday=date(1970, 3, 14),
        database="prospects",
        phones=["(970) 555-0100", "970 555 0199"],
        emails=["JACK@example.com", "jack@acme.example"],
        addresses=[AddressInput(street="5 Oak St", city="Ault", state="CO")],
        categories=["christmas", "cold"],
    )
    sandy = make_person_in(a, first="Sandy", last="Smith", spouse=jackie, referred_by=jackie)
    note_add(contact=jackie, actor=world.alice, body="Wants a bigger yard")
    task = task_create(
        account_id=a.pk, title="Call Jackie", due_on=None, actor=world.alice, about=jackie
    )
    house = OpenHouse.objects.create(account=a, property_street="1 Elm", starts_at=timezone.now())
    visit = OpenHouseVisit.objects.create(account=a, open_house=house, contact=jackie)
    lead = Lead.objects.create(account=a, contact=jackie, inquiry="3 bedrooms")
    return Pair(jack=jack, jackie=jackie, sandy=sandy, task=task, visit=visit, lead=lead)


def _counts(person: Contact) -> dict[str, int]:
    contact_type = ContentType.objects.get_for_model(Contact)
    return {
        "phones": Phone.objects.filter(contact=person).count(),
        "emails": Email.objects.filter(contact=person).count(),
        "addresses": Address.objects.filter(contact=person).count(),
        "notes": Note.objects.filter(contact=person).count(),
        "categories": ContactCategory.objects.filter(contact=person).count(),
        "visits": OpenHouseVisit.objects.filter(contact=person).count(),
        "leads": Lead.objects.filter(contact=person).count(),
        "tasks": Task.objects.filter(related_type=contact_type, related_id=str(person.pk)).count(),
        "spouse_of": Contact.objects.filter(spouse=person).count(),
        "referrals": Contact.objects.filter(referred_by=person).count(),
    }


def _history(person: Contact) -> set[int]:
    return set(
        AuditEntry.objects.filter(
            subject_type=ContentType.objects.get_for_model(Contact), subject_id=str(person.pk)
        ).values_list("pk", flat=True)
    )


def _merge(pair: Pair, world: World, **choices: Any) -> Merge:
    values = {name: getattr(pair.jack, name) for name in MERGE_FIELDS}
    values.update(choices)
    return contacts_merge(
        survivor=pair.jack, others=[pair.jackie], field_values=values, actor=world.alice
    )


class ContactMergeTests:
    def test_it_moves_every_child_row_to_the_survivor(self, pair: Pair, world: World) -> None:
        _merge(pair, world)

        jack = _counts(pair.jack)
        assert jack["addresses"] == 1
        assert jack["notes"] >= 1
        assert Note.objects.filter(contact=pair.jack, body="Wants a bigger yard").exists()
        assert jack["visits"] == 1 and jack["leads"] == 1 and jack["tasks"] == 1
        assert jack["spouse_of"] == 1 and jack["referrals"] == 1
        pair.sandy.refresh_from_db()
        assert pair.sandy.spouse_id == pair.jack.pk

    def test_it_keeps_a_repeated_phone_or_email_once(self, pair: Pair, world: World) -> None:
        _merge(pair, world)

        numbers = list(Phone.objects.filter(contact=pair.jack).values_list("e164", flat=True))
        assert sorted(numbers) == ["+19705550100", "+19705550199"]
        emails = sorted(Email.objects.filter(contact=pair.jack).values_list("address", flat=True))
        assert emails == ["jack@acme.example", "jack@example.com"]

    def test_it_keeps_the_stricter_status_of_a_repeated_email(
        self, pair: Pair, world: World
    ) -> None:
        Email.objects.filter(contact=pair.jackie, address="jack@example.com").update(
            status="opted_out"
        )
        merge = _merge(pair, world)

        assert Email.objects.get(contact=pair.jack, address="jack@example.com").status == (
            "opted_out"
        )
        merge_undo(merge=merge, actor=world.alice)
        assert Email.objects.get(contact=pair.jack, address="jack@example.com").status == "ok"

    def test_it_links_each_category_once(self, pair: Pair, world: World) -> None:
        _merge(pair, world)

        keys = list(
            ContactCategory.objects.filter(contact=pair.jack).values_list(
                "category__key", flat=True
            )
        )
        assert sorted(keys) == ["christmas", "cold"]

    def test_it_keeps_the_survivors_lead_when_it_has_one(self, pair: Pair, world: World) -> None:
        own = Lead.objects.create(account=world.a, contact=pair.jack, inquiry="condo")
        merge = _merge(pair, world)

        assert Lead.objects.get(contact=pair.jack).pk == own.pk
        merge_undo(merge=merge, actor=world.alice)
        assert Lead.objects.get(contact=pair.jackie).pk == pair.lead.pk

    def test_it_moves_the_history(self, pair: Pair, world: World) -> None:
        theirs = _history(pair.jackie)
        assert theirs

        _merge(pair, world)

        assert theirs <= _history(pair.jack)
        entry = AuditEntry.objects.filter(action="merge", subject_id=str(pair.jack.pk)).get()
        assert "Jackie Smith" in entry.changes["merged"][1]

    def test_it_lets_the_chosen_values_win(self, pair: Pair, world: World) -> None:
        _merge(pair, world, company="Acme Plumbing", birthday=date(1970, 3, 14))

        pair.jack.refresh_from_db()
        assert pair.jack.first_name == "Jack"
        assert pair.jack.company == "Acme Plumbing"
        assert pair.jack.birthday == date(1970, 3, 14)
        assert "acme" in pair.jack.search_text

    def test_it_hides_the_absorbed_person(self, pair: Pair, world: World) -> None:
        merge = _merge(pair, world)

        pair.jackie.refresh_from_db()
        assert pair.jackie.merged_into_id == pair.jack.pk
        assert pair.jackie.deleted_at is not None
        assert merge.absorbed_ids == [pair.jackie.pk]
        assert not Contact.objects.alive().filter(pk=pair.jackie.pk).exists()

    def test_it_refuses_people_of_another_account(self, pair: Pair, world: World) -> None:
        theirs = Contact.objects.filter(account=world.b, database="contacts").get()

        with pytest.raises(ValidationError):
            contacts_merge(survivor=pair.jack, others=[theirs], field_values={}, actor=world.alice)
        theirs.refresh_from_db()
        assert theirs.merged_into_id is None

    def test_it_refuses_someone_merged_already(self, pair: Pair, world: World) -> None:
        _merge(pair, world)
        pair.jackie.refresh_from_db()

        with pytest.raises(ValidationError):
            contacts_merge(
                survivor=pair.sandy, others=[pair.jackie], field_values={}, actor=world.alice
            )

    def test_it_merges_a_cluster(self, pair: Pair, world: World) -> None:
        third = make_person_in(world.a, first="J.", last="Smith", emails=["js@example.com"])

        contacts_merge(
            survivor=pair.jack, others=[pair.jackie, third], field_values={}, actor=world.alice
        )

        assert _counts(pair.jack)["emails"] == 3
        third.refresh_from_db()
        assert third.merged_into_id == pair.jack.pk

    def test_it_moves_the_rows_of_every_app_and_back(self, world: World) -> None:
        from prospects.models import ImportChange

        person = Contact.objects.get(account=world.a, first_name="alphafirst")
        prospect = Contact.objects.get(account=world.a, first_name="alphalead")
        assert prospect.spouse_id == person.pk

        merge = contacts_merge(
            survivor=person, others=[prospect], field_values={}, actor=world.alice
        )

        assert Lead.objects.get(contact=person).inquiry == "alpha asks about the house"
        assert ImportChange.objects.filter(contact=person).count() == 1
        assert OpenHouseVisit.objects.filter(contact=person).count() == 1
        merge_undo(merge=merge, actor=world.alice)
        assert Lead.objects.get(contact=prospect).inquiry == "alpha asks about the house"
        assert ImportChange.objects.filter(contact=prospect).count() == 1
        assert OpenHouseVisit.objects.filter(contact=prospect).count() == 1

    def test_it_unlinks_a_survivor_from_the_person_it_absorbs(
        self, pair: Pair, world: World
    ) -> None:
        Contact.objects.filter(pk=pair.jack.pk).update(spouse=pair.jackie)
        pair.jack.refresh_from_db()

        contacts_merge(survivor=pair.jack, others=[pair.jackie], field_values={}, actor=None)

        pair.jack.refresh_from_db()
        assert pair.jack.spouse_id is None


class MergeUndoTests:
    def test_it_puts_everything_back(self, pair: Pair, world: World) -> None:
        before = {p.pk: _counts(p) for p in (pair.jack, pair.jackie)}
        history = {p.pk: _history(p) for p in (pair.jack, pair.jackie)}
        values = {name: getattr(pair.jack, name) for name in MERGE_FIELDS}
        merge = _merge(pair, world, company="Acme Plumbing", last_name="Smith-Jones")

        merge_undo(merge=merge, actor=world.alice)

        assert {p.pk: _counts(p) for p in (pair.jack, pair.jackie)} == before
        assert history[pair.jackie.pk] <= _history(pair.jackie)
        assert not history[pair.jackie.pk] & _history(pair.jack)
        pair.jack.refresh_from_db()
        assert {name: getattr(pair.jack, name) for name in MERGE_FIELDS} == values
        pair.jackie.refresh_from_db()
        assert pair.jackie.merged_into_id is None and pair.jackie.deleted_at is None
        assert "jackie" in pair.jackie.search_text
        pair.sandy.refresh_from_db()
        assert pair.sandy.spouse_id == pair.jackie.pk
        merge.refresh_from_db()
        assert merge.undone_at is not None

    def test_it_undoes_only_once(self, pair: Pair, world: World) -> None:
        merge = _merge(pair, world)
        merge_undo(merge=merge, actor=world.alice)

        with pytest.raises(ValidationError):
            merge_undo(merge=merge, actor=world.alice)

    def test_it_waits_for_a_later_merge_of_the_survivor_to_be_undone(
        self, pair: Pair, world: World
    ) -> None:
        first = _merge(pair, world)
        second = contacts_merge(
            survivor=pair.sandy, others=[pair.jack], field_values={}, actor=world.alice
        )

        with pytest.raises(ValidationError):
            merge_undo(merge=first, actor=world.alice)
        merge_undo(merge=second, actor=world.alice)
        merge_undo(merge=first, actor=world.alice)
        pair.jackie.refresh_from_db()
        assert pair.jackie.merged_into_id is None

    def test_it_refuses_after_thirty_days(self, pair: Pair, world: World) -> None:
        merge = _merge(pair, world)
        Merge.objects.filter(pk=merge.pk).update(created_at=timezone.now() - timedelta(days=31))

        with pytest.raises(ValidationError):
            merge_undo(merge=merge, actor=world.alice)


class MergePageTests:
    def test_it_shows_the_people_side_by_side(
        self, alice: Client, pair: Pair, world: World
    ) -> None:
        response = alice.get(f"/prospects/merge/?ids={pair.jack.pk}&ids={pair.jackie.pk}")

        assert response.status_code == 200
        html = response.content.decode()
        assert "Acme Plumbing" in html and "Jackie" in html
        # The only non-empty company is the default choice.
        assert f'name="f_company" value="{pair.jackie.pk}" checked' in html

    def test_it_merges_with_the_chosen_values_and_redirects(
        self, alice: Client, pair: Pair, world: World
    ) -> None:
        response = alice.post(
            "/prospects/merge/",
            {
                "ids": [pair.jack.pk, pair.jackie.pk],
                "survivor": pair.jack.pk,
                "f_first_name": pair.jack.pk,
                "f_company": pair.jackie.pk,
                "f_database": pair.jack.pk,
            },
        )

        assert response.status_code == 302
        assert response["Location"] == f"/contacts/{pair.jack.pk}/"
        pair.jack.refresh_from_db()
        assert (pair.jack.first_name, pair.jack.company) == ("Jack", "Acme Plumbing")
        assert pair.jack.database == "contacts"
        assert _counts(pair.jack)["addresses"] == 1

    def test_it_redirects_the_absorbed_persons_old_url(
        self, alice: Client, pair: Pair, world: World
    ) -> None:
        merge = _merge(pair, world)

        response = alice.get(f"/contacts/{pair.jackie.pk}/")
        assert response.status_code == 302
        assert response["Location"] == f"/contacts/{pair.jack.pk}/"

        undo = alice.post(f"/prospects/merges/{merge.pk}/undo/")
        assert undo.status_code == 302
        assert alice.get(f"/contacts/{pair.jackie.pk}/").status_code == 200

    def test_it_lists_recent_merges_with_an_undo_button(
        self, alice: Client, pair: Pair, world: World
    ) -> None:
        merge = _merge(pair, world)

        html = alice.get("/prospects/merges/").content.decode()
        assert f"/prospects/merges/{merge.pk}/undo/" in html
        assert "Jackie Smith" in html

    def test_it_refuses_an_assistant_without_can_delete(
        self, ann: Client, pair: Pair, world: World
    ) -> None:
        ids = {"ids": [pair.jack.pk, pair.jackie.pk], "survivor": pair.jack.pk}
        assert ann.get("/prospects/merge/", ids).status_code == 403
        assert ann.post("/prospects/merge/", ids).status_code == 403
        merge = _merge(pair, world)
        assert ann.post(f"/prospects/merges/{merge.pk}/undo/").status_code == 403
        assert "/undo/" not in ann.get("/prospects/merges/").content.decode()
        pair.jackie.refresh_from_db()
        assert pair.jackie.merged_into_id == pair.jack.pk

    def test_it_answers_404_for_an_outsiders_ids(
        self, alice: Client, pair: Pair, world: World
    ) -> None:
        theirs = Contact.objects.filter(account=world.b, database="contacts").get()
        ids = {"ids": [pair.jack.pk, theirs.pk], "survivor": pair.jack.pk}

        assert alice.get("/prospects/merge/", ids).status_code == 404
        assert alice.post("/prospects/merge/", ids).status_code == 404
        their_merge = Merge.objects.filter(account=world.b).first()
        assert their_merge is not None
        assert alice.post(f"/prospects/merges/{their_merge.pk}/undo/").status_code == 404
        theirs.refresh_from_db()
        assert theirs.merged_into_id is None


class MergeListTests:
    def _queries(self, client: Client, world: World, count: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        survivor = Contact.objects.filter(account=world.a).first()
        Merge.objects.bulk_create(
            Merge(
                account=world.a,
                survivor=survivor,
                absorbed_ids=[],
                snapshot={"absorbed": {"1": {"name": f"Person {i}"}}},
                created_by=world.alice,
            )
            for i in range(count)
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/prospects/merges/").status_code == 200
        Merge.objects.filter(account=world.a).delete()
        return len(queries)

    def test_it_costs_the_same_queries_for_3_merges_and_for_30(
        self, alice: Client, world: World
    ) -> None:
        alice.get("/prospects/merges/")  # the session and caches warm up once
        assert self._queries(alice, world, 3) == self._queries(alice, world, 30)


def test_it_finds_the_other_record_from_a_persons_page(
    alice: Client, pair: Pair, world: World
) -> None:
    html = alice.get(f"/prospects/merge/?ids={pair.jack.pk}&q=jackie").content.decode()

    assert f'name="ids" value="{pair.jackie.pk}"' in html
    assert "bravo" not in html.lower()
