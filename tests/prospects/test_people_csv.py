"""The full CSV of a filter result: the prospects' lead columns come along, and income
columns are absent for a member who may not see income."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from contacts import exports
from contacts.exports import ColumnGroup
from crm.models import Job, Membership
from prospects.models import Lead, LeadSource
from tests.contacts.people import make_person_in
from tests.helpers import body_of
from tests.world import World


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def commission_column() -> Iterator[None]:
    """An income column, as the transactions issue will add one."""
    group = ColumnGroup(("Commission",), lambda ids, tz: {pk: ["$9,999"] for pk in ids}, True)
    exports.register_csv_columns(group)
    yield
    exports._COLUMN_GROUPS.remove(group)


def _filtered_csv(client: Client, capture: Any, query: str) -> list[dict[str, str]]:
    with capture(execute=True):
        response = client.post(
            "/contacts/bulk/", {"action": "export_csv", "all_matching": "on", "query": query}
        )
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
    content = body_of(client.get(f"/jobs/{job.pk}/download/"))
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_a_filter_result_exports_with_the_lead_columns(
    alice: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    person = make_person_in(world.a, first="Lena", last="Leadcsv", database="prospects")
    Lead.objects.create(
        account=world.a, contact=person, stage="contacted", lead_type="seller",
        source=LeadSource.objects.get(account=world.a, key="fsbo"), property_street="7 Pine Rd",
    )  # fmt: skip
    rows = _filtered_csv(
        alice, django_capture_on_commit_callbacks, "database=prospects&stage=contacted"
    )
    assert [r["Last name"] for r in rows] == ["Leadcsv"]
    assert rows[0]["Stage"] == "Contacted" and rows[0]["Lead type"] == "Seller"
    assert rows[0]["Property street"] == "7 Pine Rd"


def test_income_columns_only_for_members_who_see_income(
    client: Client, world: World, django_capture_on_commit_callbacks: Any, commission_column: None
) -> None:
    from tests.conftest import login

    make_person_in(world.a, first="Ivy", last="Incomecsv")
    Membership.objects.filter(account=world.a, user=world.ann).update(can_export=True)
    login(client, world.ann.email)
    rows = _filtered_csv(client, django_capture_on_commit_callbacks, "q=Incomecsv")
    assert rows and "Commission" not in rows[0]
    client.logout()
    login(client, world.alice.email)
    rows = _filtered_csv(client, django_capture_on_commit_callbacks, "q=Incomecsv")
    assert rows[0]["Commission"] == "$9,999"
