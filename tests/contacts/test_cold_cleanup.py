"""The yearly Cold clean-up: export everyone in Cold, then move them to the trash."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from contacts import exports
from contacts.models import Contact
from contacts.services import contacts_trash
from crm.models import Job
from tests.contacts.hygiene_helpers import person
from tests.world import World

URL = "/contacts/cold-cleanup/"


@pytest.fixture
def cold(world: World) -> list[Contact]:
    return [
        person(world.a, world.alice, "Cole", "One", categories=["cold"]),
        person(world.a, world.alice, "Cole", "Two", categories=["cold", "christmas"]),
    ]


@pytest.fixture
def exports_started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Stands in for the export worker job: records each call, returns a real Job row."""
    calls: list[dict[str, Any]] = []

    def start_export(**kwargs: Any) -> Job:
        calls.append(kwargs)
        return Job.objects.create(
            account=kwargs["account"], kind="contacts.export", title="Cold export"
        )

    monkeypatch.setattr(exports, "start_export", start_export)
    return calls


def _alive(contact: Contact) -> bool:
    contact.refresh_from_db()
    return contact.deleted_at is None


class TestColdCleanup:
    def test_it_counts_the_people_in_cold(
        self, alice: Client, world: World, cold: list[Contact]
    ) -> None:
        gone = person(world.a, world.alice, "Gone", "Cold", categories=["cold"])
        contacts_trash(contacts=Contact.objects.filter(pk=gone.pk), actor=world.alice)
        person(world.b, world.bob, "bravo", "Cold", categories=["cold"])
        response = alice.get(URL)
        assert response.status_code == 200
        assert response.context["count"] == 2
        assert b"bravo" not in response.content.lower()
        assert not response.context["step2"]

    def test_it_shows_an_empty_state_when_nobody_is_cold(self, alice: Client, world: World) -> None:
        assert "Nobody is in Cold" in alice.get(URL).content.decode()

    def test_it_exports_everyone_in_cold_then_offers_step_two(
        self,
        alice: Client,
        world: World,
        cold: list[Contact],
        exports_started: list[dict[str, Any]],
    ) -> None:
        response = alice.post(f"{URL}export/")
        job = Job.objects.get(account=world.a, title="Cold export")
        assert response.status_code == 302
        assert response["Location"] == f"/jobs/{job.pk}/"
        (call,) = exports_started
        assert sorted(call["contact_ids"]) == sorted(c.pk for c in cold)
        assert call["kind"] == "csv"
        assert call["account"] == world.a
        assert call["actor"] == world.alice
        page = alice.get(URL)
        assert page.context["step2"]
        assert f"/jobs/{job.pk}/" in page.content.decode()
        assert 'action="/contacts/cold-cleanup/delete/"' in page.content.decode()

    def test_it_shows_step_two_when_the_user_says_they_exported(
        self, alice: Client, cold: list[Contact]
    ) -> None:
        response = alice.get(f"{URL}?step=2")
        assert 'action="/contacts/cold-cleanup/delete/"' in response.content.decode()

    def test_it_moves_everyone_in_cold_to_the_trash(
        self, alice: Client, world: World, cold: list[Contact]
    ) -> None:
        warm = person(world.a, world.alice, "Warm", "Friend", categories=["christmas"])
        bravo = person(world.b, world.bob, "bravo", "Cold", categories=["cold"])
        response = alice.post(f"{URL}delete/", {"confirm": "1"})
        assert response.status_code == 302
        assert not any(_alive(c) for c in cold)
        assert _alive(warm)
        assert _alive(bravo)
        assert alice.get(URL).context["count"] == 0

    def test_it_deletes_nothing_without_the_confirmation(
        self, alice: Client, cold: list[Contact]
    ) -> None:
        response = alice.post(f"{URL}delete/")
        assert response.status_code == 302
        assert all(_alive(c) for c in cold)


class TestColdCleanupForAnAssistant:
    def test_it_refuses_the_export_without_can_export(
        self, ann: Client, cold: list[Contact], exports_started: list[dict[str, Any]]
    ) -> None:
        assert ann.post(f"{URL}export/").status_code == 403
        assert exports_started == []

    def test_it_refuses_the_delete_without_can_delete(
        self, ann: Client, cold: list[Contact]
    ) -> None:
        assert ann.post(f"{URL}delete/", {"confirm": "1"}).status_code == 403
        assert all(_alive(c) for c in cold)

    def test_it_shows_the_page_without_the_buttons(self, ann: Client, cold: list[Contact]) -> None:
        html = ann.get(f"{URL}?step=2").content.decode()
        assert "cannot export" in html and "cannot delete" in html
        assert 'action="/contacts/cold-cleanup/export/"' not in html
        assert 'action="/contacts/cold-cleanup/delete/"' not in html
