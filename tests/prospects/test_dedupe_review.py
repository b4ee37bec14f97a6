"""The review page: a scan in the worker, then one group at a time; "Not duplicates"."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from crm.models import Job
from prospects.dedupe import JOB_KIND
from prospects.models import DuplicateDismissal
from tests.prospects.dedupe_helpers import person
from tests.world import World


def _pair(world: World) -> tuple[int, int]:
    a = person(world.a, "Bob", "Fairweather", phone="970-555-0133", street="5 Elm St")
    b = person(world.a, "Robert", "Fairweather", phone="9705550133", database="prospects")
    return a.pk, b.pk


def _scan(client: Client, capture: Any) -> None:
    """The first visit starts the scan; the worker runs it once the request commits."""
    with capture(execute=True):
        response = client.get("/prospects/duplicates/")
    assert response.status_code == 302


@pytest.mark.django_db
class TestDuplicateReview:
    def test_it_scans_on_the_first_visit_and_shows_a_group(
        self, alice: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        a, b = _pair(world)
        _scan(alice, django_capture_on_commit_callbacks)
        job = Job.objects.get(account=world.a, kind=JOB_KIND)
        assert job.status == "done"  # the worker runs eagerly in tests
        html = alice.get("/prospects/duplicates/").content.decode()
        assert "Bob Fairweather" in html and "Robert Fairweather" in html
        assert "same phone" in html and "nickname" in html
        assert f"/prospects/merge/?ids={a}&amp;ids={b}" in html
        assert "Not duplicates" in html
        assert "bravo" not in html.lower()

    def test_it_shows_a_progress_bar_while_the_scan_runs(self, alice: Client, world: World) -> None:
        Job.objects.create(account=world.a, kind=JOB_KIND, title="Scan for duplicates", total=3)
        html = alice.get("/prospects/duplicates/").content.decode()
        assert 'class="progress"' in html and "Waiting for the worker" in html
        partial = alice.get("/prospects/duplicates/", headers={"HX-Request": "true"})
        assert b'id="duplicate-scan"' in partial.content

    def test_it_records_not_duplicates_and_moves_on(
        self, alice: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        a, b = _pair(world)
        _scan(alice, django_capture_on_commit_callbacks)
        response = alice.post("/prospects/duplicates/dismiss/", {"ids": [b, a], "at": "0"})
        assert response.status_code == 302
        assert DuplicateDismissal.objects.filter(account=world.a, first_id=a, second_id=b).exists()
        html = alice.get("/prospects/duplicates/").content.decode()
        assert "Fairweather" not in html
        assert "That was the last group" in html

    def test_it_answers_404_for_another_accounts_person(self, alice: Client, world: World) -> None:
        a, _ = _pair(world)
        outsider = person(world.b, "Bob", "Fairweather", phone="970-555-0133")
        before = DuplicateDismissal.objects.count()
        response = alice.post("/prospects/duplicates/dismiss/", {"ids": [a, outsider.pk]})
        assert response.status_code == 404
        assert alice.post("/prospects/duplicates/dismiss/", {"ids": ["x"]}).status_code == 404
        assert DuplicateDismissal.objects.count() == before

    def test_it_rescans_on_request(
        self, alice: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        _scan(alice, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            assert alice.post("/prospects/duplicates/scan/").status_code == 302
        assert Job.objects.filter(account=world.a, kind=JOB_KIND).count() == 2

    def test_it_needs_a_login(self, client: Client, world: World) -> None:
        assert client.get("/prospects/duplicates/").status_code == 302
        assert client.post("/prospects/duplicates/dismiss/").status_code == 302
