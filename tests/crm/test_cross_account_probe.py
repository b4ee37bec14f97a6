"""The cross-account probe: every URL the resolver knows, tried by a user of
account A (and by an anonymous visitor) with ids of account B's objects.

It fails when any answer shows B's data (every text of B's rows carries the
marker "bravo") or when any of B's rows changes. URLs and tenant models are
discovered, so each later issue is covered without touching this file. On
Postgres it runs twice: with row-level security up, and with it down so the
Python wall is tested alone.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from crm.middleware import SESSION_KEY
from crm.models import Account, Membership, User
from crm.rls import tenant_models
from tests.helpers import body_of
from tests.world import B_MARKER, World

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
_CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
_ID_CONVERTERS = {"int", "uuid"}


@dataclass(frozen=True)
class Route:
    template: str  # "/categories/<int:pk>/"
    params: tuple[tuple[str, str], ...]  # (converter, name)


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _route_text(entry.pattern))
        elif isinstance(entry, URLPattern):
            text = prefix + _route_text(entry.pattern)
            params = tuple(
                (m.group("conv") or "str", m.group("name")) for m in _CONVERTER.finditer(text)
            )
            yield Route(template="/" + text, params=params)


def _route_text(pattern: Any) -> str:
    """A RoutePattern as written; a regex pattern turned into route syntax."""
    raw = str(pattern)
    if not raw.startswith("^"):
        return raw
    text = raw.lstrip("^").rstrip("$").replace("\\Z", "")
    text = re.sub(r"\(\?P<(\w+)>\\d\+\)", r"<int:\1>", text)
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<str:\1>", text)
    text = re.sub(r"\((\w+)(\|[^)]*)?\)", r"\1", text)  # (auth|crm) -> auth
    return text.replace("\\", "").replace("?", "")


def all_routes() -> list[Route]:
    seen: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns):
        seen.setdefault(route.template, route)
    return list(seen.values())


def _b_ids(world: World) -> tuple[list[int], list[str]]:
    """One primary key of B's rows per tenant model (and B itself and its owner): a URL
    that looks up one kind of record by id is tried with B's record of every kind."""
    ints: set[int] = {world.b.pk, world.bob.pk}
    uuids: set[str] = set()
    for model in tenant_models():
        pk = (
            model._base_manager.filter(account_id=world.b.pk)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is not None:
            (uuids if isinstance(pk, uuid.UUID) else ints).add(pk)
    return sorted(ints), sorted(str(u) for u in uuids)


def _urls_for(route: Route, ints: list[int], uuids: list[str]) -> list[str]:
    choices: list[list[str]] = []
    for conv, _name in route.params:
        if conv == "int":
            choices.append([str(i) for i in ints])
        elif conv == "uuid":
            choices.append(uuids or [str(uuid.uuid4())])
        elif conv == "path":
            choices.append(["probe/probe"])
        else:
            choices.append(["probe"])
    urls = []
    for combo in itertools.product(*choices) if choices else [()]:
        values = iter(combo)
        urls.append(_CONVERTER.sub(lambda _m, v=values: next(v), route.template))
    return urls


def _b_snapshot(world: World) -> dict[str, list[dict[str, Any]]]:
    snap = {
        model._meta.label: list(
            model._base_manager.filter(account_id=world.b.pk).order_by("pk").values()
        )
        for model in tenant_models()
    }
    snap["account"] = list(Account.objects.filter(pk=world.b.pk).values())
    members = Membership.objects.filter(account_id=world.b.pk).values("user_id")
    snap["users"] = list(User.objects.filter(pk__in=members).order_by("pk").values())
    return snap


def _post_payload(ints: list[int]) -> dict[str, Any]:
    """Form fields a view might trust, all pointing at B's rows."""
    first = str(ints[0]) if ints else "1"
    payload: dict[str, Any] = {
        name: first
        for name in (
            "account", "account_id", "pk", "id", "source", "target", "category", "categories",
            "contact", "user", "membership", "invitation", "survivor", "ids",
        )
    }  # fmt: skip
    payload.update({"name": "probe", "email": "probe@example.com", "role": "assistant"})
    return payload


def _probe(client: Client, world: World, as_user: User | None) -> tuple[int, int, list[str]]:
    ints, uuids = _b_ids(world)
    before = _b_snapshot(world)
    payload = _post_payload(ints)
    routes = all_routes()
    requests = 0
    failures: list[str] = []
    for route in routes:
        urls = _urls_for(route, ints, uuids)
        for url in urls:
            for method in ("get", "post"):
                if as_user is not None:
                    client.force_login(as_user)
                    session = client.session
                    session[SESSION_KEY] = world.a.pk
                    session.save()
                response = getattr(client, method)(url, payload if method == "post" else None)
                requests += 1
                if B_MARKER.encode() in body_of(response).lower():
                    failures.append(
                        f"{method.upper()} {url} -> {response.status_code} shows B's data"
                    )
        # B's rows are compared once per route (reading every tenant table after each of
        # thousands of requests made the probe the slowest test by far).
        after = _b_snapshot(world)
        if after != before:
            failures.append(f"{route.template} (GET/POST with B's ids) changed B's rows")
            before = after
    return len(routes), requests, failures


def _every_tenant_model_has_b_rows(world: World) -> None:
    empty = [
        m._meta.label
        for m in tenant_models()
        if not m._base_manager.filter(account_id=world.b.pk).exists()
    ]
    assert not empty, f"tests/world.py populate_account makes no rows of: {empty}"


WALLS = [True, False] if connection.vendor == "postgresql" else [True]


@pytest.mark.parametrize("wall", WALLS, ids=lambda up: "rls-up" if up else "python-wall-alone")
def test_it_never_shows_or_changes_another_accounts_data(
    client: Client, world: World, settings: Any, wall: bool
) -> None:
    settings.TENANT_DB_WALL = wall
    _every_tenant_model_has_b_rows(world)
    routes, member_requests, failures = _probe(client, world, world.alice)
    client.logout()
    _, anonymous_requests, anonymous_failures = _probe(client, world, None)
    ARTIFACTS.mkdir(exist_ok=True)
    summary = (
        f"{connection.vendor} wall={'up' if wall else 'down'}: {routes} URL patterns, "
        f"{member_requests} requests as A's owner, {anonymous_requests} anonymous\n"
    )
    with (ARTIFACTS / "probe-summary.txt").open("a") as fh:
        fh.write(summary)
    assert routes > 20
    assert not failures + anonymous_failures, "\n".join(failures + anonymous_failures)


def test_it_walks_the_routes_of_every_app() -> None:
    templates = {route.template for route in all_routes()}
    assert "/categories/<int:pk>/delete/" in templates
    assert "/team/<int:pk>/" in templates
    assert any(t.startswith("/accounts/") for t in templates)
