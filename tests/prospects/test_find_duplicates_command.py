"""``manage.py find_duplicates --account ID --json``: the JSON other tools read."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.prospects.dedupe_helpers import person
from tests.world import World


def _run(*args: str) -> str:
    out = StringIO()
    call_command("find_duplicates", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_prints_clusters_as_json(world: World) -> None:
    a = person(world.a, "Bob", "Lindqvist", phone="970-555-0111")
    b = person(world.a, "Robert", "Lindqvist", phone="(970) 555-0111", database="prospects")
    person(world.b, "Bob", "Lindqvist", phone="970-555-0111")
    clusters = json.loads(_run("--account", str(world.a.pk), "--json"))
    assert isinstance(clusters, list)
    assert clusters == [
        {
            "ids": sorted([a.pk, b.pk]),
            "score": clusters[0]["score"],
            "reasons": clusters[0]["reasons"],
        }
    ]
    assert set(clusters[0]) == {"ids", "score", "reasons"}
    assert 0 <= clusters[0]["score"] <= 1
    assert "same phone" in clusters[0]["reasons"]
    assert "nickname" in clusters[0]["reasons"]


@pytest.mark.django_db
def test_it_prints_a_summary_without_json(world: World) -> None:
    a = person(world.a, "Greta", "Holloway", email="gh@example.com")
    person(world.a, "Greta", "Hollowey", email="gh@example.com")
    text = _run("--account", str(world.a.pk))
    assert "1 groups of likely duplicates" in text
    assert str(a.pk) in text


@pytest.mark.django_db
def test_it_refuses_an_unknown_account(world: World) -> None:
    with pytest.raises(CommandError):
        _run("--account", "999999", "--json")
