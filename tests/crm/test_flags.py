"""Membership flags hold in every page and endpoint, for every URL the resolver knows."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from crm.rls import tenant_models
from tests.crm.test_cross_account_probe import Route, all_routes
from tests.helpers import body_of
from tests.world import World


def _named_routes(patterns: list[Any], prefix: str = "") -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found.update(_named_routes(entry.url_patterns, prefix + str(entry.pattern)))
        elif isinstance(entry, URLPattern) and entry.name:
            found[entry.name] = "/" + prefix + str(entry.pattern)
    return found


def delete_routes() -> list[str]:
    return sorted(
        route for name, route in _named_routes(get_resolver().url_patterns).items()
        if name.endswith("_delete")
    )  # fmt: skip


def _a_snapshot(world: World) -> dict[str, int]:
    return {
        m._meta.label: m._base_manager.filter(account_id=world.a.pk).count()
        for m in tenant_models()
    }


def _a_ids(world: World) -> list[int]:
    ids: set[int] = set()
    for model in tenant_models():
        ids.update(model._base_manager.filter(account_id=world.a.pk).values_list("pk", flat=True))
    return sorted(ids)


def test_it_knows_the_delete_endpoints() -> None:
    assert "/categories/<int:pk>/delete/" in delete_routes()


def test_it_refuses_every_delete_endpoint_to_a_member_without_can_delete(
    ann: Client, world: World
) -> None:
    before = _a_snapshot(world)
    for route in delete_routes():
        for pk in _a_ids(world):
            url = route.replace("<int:pk>", str(pk))
            response = ann.post(url)
            assert response.status_code == 403, f"{url} answered {response.status_code}"
    assert _a_snapshot(world) == before


def test_it_lets_a_member_with_can_delete_delete(alice: Client, world: World) -> None:
    from crm.models import Category

    target = Category.objects.get(account=world.a, name="alpha farm")
    response = alice.post(f"/categories/{target.pk}/delete/")
    assert response.status_code == 302
    assert not Category.objects.filter(pk=target.pk).exists()


def test_it_shows_no_delete_buttons_without_can_delete(ann: Client, world: World) -> None:
    from crm.models import Category

    category = Category.objects.get(account=world.a, name="alpha farm")
    for url in ("/categories/", f"/categories/{category.pk}/"):
        html = ann.get(url).content.decode()
        assert "/delete/" not in html, url
        assert "Delete" not in html, url


def test_it_shows_delete_buttons_with_can_delete(alice: Client, world: World) -> None:
    html = alice.get("/categories/").content.decode()
    assert "/delete/" in html


def _plain_get_urls(world: World) -> list[str]:
    """Every route with no parameters, plus each id route filled with A's own ids."""
    urls = []
    ids = _a_ids(world)
    for route in all_routes():
        if not route.params:
            urls.append(route.template)
        elif all(conv == "int" for conv, _ in route.params) and len(route.params) == 1:
            urls.extend(_fill(route, pk) for pk in ids)
    return urls


def _fill(route: Route, pk: int) -> str:
    conv, name = route.params[0]
    return route.template.replace(f"<{conv}:{name}>", str(pk))


def test_it_renders_no_income_anywhere_for_a_member_without_can_see_income(
    ann: Client, world: World
) -> None:
    for url in _plain_get_urls(world):
        assert b"data-income" not in body_of(ann.get(url)), url


@pytest.mark.parametrize(("who", "shown"), [("alice", True), ("ann", False)])
def test_it_renders_income_only_for_members_who_see_income(
    world: World, who: str, shown: bool
) -> None:
    from crm.models import Membership

    membership = Membership.objects.get(account=world.a, user=getattr(world, who))
    html = Template("{% load crm_tags %}{% income %}$12,400{% endincome %}").render(
        Context({"membership": membership})
    )
    assert ("$12,400" in html) is shown


def test_it_refuses_team_management_without_can_manage_users(ann: Client, world: World) -> None:
    from crm.models import Membership

    pat = Membership.objects.get(account=world.a, user=world.pat)
    assert ann.get(f"/team/{pat.pk}/").status_code == 403
    assert ann.post(f"/team/{pat.pk}/", {"role": "owner"}).status_code == 403
    assert ann.post(f"/team/{pat.pk}/remove/").status_code == 403
    assert ann.get("/settings/account/").status_code == 403
    pat.refresh_from_db()
    assert pat.role == "partner"
