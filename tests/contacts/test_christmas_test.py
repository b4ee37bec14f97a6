"""The Christmas card test: everyone in Christmas, one card at a time."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from django.test import Client
from django.utils import timezone

from contacts.models import Contact
from contacts.services import contacts_trash, note_add
from tests.contacts.hygiene_helpers import VALID_ADDRESS, in_category, person
from tests.world import World

URL = "/contacts/christmas-test/"


def _deck(world: World) -> list[Contact]:
    """Three people in Christmas; ordered by last name, then id."""
    return [
        person(world.a, world.alice, "Amy", "Baker", categories=["christmas"]),
        person(world.a, world.alice, "Zed", "Adams", categories=["christmas"]),
        person(world.a, world.alice, "Cat", "Baker", categories=["christmas"]),
    ]


class TestChristmasCardTest:
    def test_it_shows_an_empty_state_when_nobody_is_in_christmas(
        self, alice: Client, world: World
    ) -> None:
        response = alice.get(URL)
        assert response.status_code == 200
        assert "Nobody is in the Christmas category yet" in response.content.decode()
        assert b"data-card-keys" not in response.content

    def test_it_steps_through_the_deck_by_last_name_with_progress(
        self, alice: Client, world: World
    ) -> None:
        amy, zed, cat = _deck(world)
        person(world.a, world.alice, "Not", "Inchristmas")
        seen = []
        url = URL
        for position in (1, 2, 3):
            response = alice.get(url)
            card = response.context["card"]
            seen.append(card.contact)
            assert (card.position, card.total) == (position, 3)
            assert f"{position} of 3" in response.content.decode()
            url = f"{URL}?after={card.contact.pk}"
        assert seen == [zed, amy, cat]
        done = alice.get(url)
        assert done.context["card"].contact is None
        assert "That was the last card" in done.content.decode()

    def test_it_shows_the_person_and_their_last_three_notes(
        self, alice: Client, world: World
    ) -> None:
        jack = person(
            world.a,
            world.alice,
            "Jack",
            "Smith",
            salutation="Jack & Sandy Smith",
            categories=["christmas"],
            phones=["(970) 555-0199"],
            emails=["jack@example.com"],
            addresses=[VALID_ADDRESS],
        )
        for n in range(4):
            note = note_add(contact=jack, actor=world.alice, body=f"note number {n}")
            note.created_at = timezone.now() - timedelta(days=10 - n)
            note.save()
        html = alice.get(URL).content.decode()
        for text in ("Jack &amp; Sandy Smith", "12 Elm St", "(970) 555-0199", "jack@example.com"):
            assert text in html
        assert "note number 3" in html and "note number 1" in html
        assert "note number 0" not in html

    def test_it_offers_keys_for_keep_cold_and_fix(self, alice: Client, world: World) -> None:
        amy, zed, _ = _deck(world)
        response = alice.get(f"{URL}?after={zed.pk}")
        html = response.content.decode()
        assert "data-card-keys" in html
        assert f'href="{URL}?after={amy.pk}" data-card-key="k"' in html
        assert f'action="/contacts/christmas-test/{amy.pk}/cold/"' in html
        assert 'data-card-key="c"' in html
        fix = f'href="/contacts/{amy.pk}/edit/?next={quote(f"{URL}?after={zed.pk}", safe="/")}"'
        assert fix in html

    def test_cold_takes_them_off_christmas_and_shows_the_next_card(
        self, alice: Client, world: World
    ) -> None:
        amy, zed, _cat = _deck(world)
        response = alice.post(f"/contacts/christmas-test/{zed.pk}/cold/")
        assert response.status_code == 302
        assert response["Location"] == f"{URL}?after={zed.pk}"
        assert in_category(zed, "cold") and not in_category(zed, "christmas")
        card = alice.get(response["Location"]).context["card"]
        assert (card.contact, card.position, card.total) == (amy, 1, 2)
        assert in_category(amy, "christmas") and not in_category(amy, "cold")

    def test_it_leaves_out_the_trash_and_other_accounts(self, alice: Client, world: World) -> None:
        amy, zed, cat = _deck(world)
        contacts_trash(contacts=Contact.objects.filter(pk=amy.pk), actor=world.alice)
        bravo = person(world.b, world.bob, "bravo", "Aaron", categories=["christmas"])
        seen, url = [], URL
        while True:
            response = alice.get(url)
            assert b"bravo" not in response.content.lower()
            card = response.context["card"]
            if card.contact is None:
                break
            seen.append(card.contact)
            url = f"{URL}?after={card.contact.pk}"
        assert seen == [zed, cat]
        # Another account's id as the place in the deck starts from the top.
        assert alice.get(f"{URL}?after={bravo.pk}").context["card"].contact == zed

    def test_it_refuses_cold_for_another_accounts_person(self, alice: Client, world: World) -> None:
        bravo = person(world.b, world.bob, "bravo", "Aaron", categories=["christmas"])
        assert alice.post(f"/contacts/christmas-test/{bravo.pk}/cold/").status_code == 404
        assert in_category(bravo, "christmas") and not in_category(bravo, "cold")
