"""Smart lists: any filter of the contacts list saved by name, in the sidebar with its count."""

from __future__ import annotations

from django.test import Client

from contacts.models import SmartList
from tests.contacts.conftest import MakePerson
from tests.contacts.people import category
from tests.world import World


def _sidebar(client: Client) -> dict[str, int]:
    """Each smart list in the sidebar with the count its htmx request fetches."""
    response = client.get("/contacts/")
    counts = {}
    for smart in response.context["smart_lists"]:
        html = client.get(f"/contacts/smart-lists/{smart.pk}/count/").content.decode()
        counts[smart.name] = int(html.split(">")[1].split("<")[0].replace(",", ""))
    return counts


def test_it_saves_a_filter_as_a_smart_list(alice: Client, world: World) -> None:
    xmas = category(world.a, "christmas").pk

    response = alice.post(
        "/contacts/smart-lists/",
        {"name": "  Christmas, quiet  ", "query": f"cat_any={xmas}&stale_days=90&page=3&x=1&q="},
    )

    smart = SmartList.objects.get(account=world.a, name="Christmas, quiet")
    assert smart.query == f"cat_any={xmas}&stale_days=90"
    assert smart.created_by == world.alice
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/?{smart.query}"


def test_it_shows_the_smart_list_in_the_sidebar_with_its_count(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    make_person(first="Xmas1", categories=["christmas"])
    make_person(first="Xmas2", categories=["christmas"])
    make_person(first="Other", categories=["top100"])
    xmas = category(world.a, "christmas").pk
    alice.post("/contacts/smart-lists/", {"name": "Cards", "query": f"cat_any={xmas}"})

    assert _sidebar(alice) == {"alpha list": 1, "Cards": 2}
    html = alice.get("/contacts/").content.decode()
    cards = SmartList.objects.get(account=world.a, name="Cards")
    assert f'hx-get="/contacts/smart-lists/{cards.pk}/count/"' in html

    make_person(first="Xmas3", categories=["christmas"])
    assert _sidebar(alice)["Cards"] == 3


def test_it_applies_the_filter_when_opened(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    make_person(first="Xmas", categories=["christmas"])
    make_person(first="Other", categories=["top100"])
    smart = SmartList.objects.create(
        account=world.a, name="Cards", query=f"cat_any={category(world.a, 'christmas').pk}"
    )

    response = alice.get(f"/contacts/?{smart.query}")

    assert [str(c) for c in response.context["page"].object_list] == ["Xmas"]
    html = response.content.decode()
    assert f'href="/contacts/?{smart.query}" aria-current="page"' in html


def test_it_replaces_a_smart_list_saved_again_under_the_same_name(
    alice: Client, world: World
) -> None:
    alice.post("/contacts/smart-lists/", {"name": "Quiet", "query": "stale_days=90"})
    alice.post("/contacts/smart-lists/", {"name": "Quiet", "query": "stale_days=180"})

    assert list(
        SmartList.objects.filter(account=world.a, name="Quiet").values_list("query", flat=True)
    ) == ["stale_days=180"]


def test_it_needs_a_name(alice: Client, world: World) -> None:
    before = SmartList.objects.filter(account=world.a).count()

    response = alice.post(
        "/contacts/smart-lists/", {"name": "   ", "query": "q=smith"}, follow=True
    )

    assert SmartList.objects.filter(account=world.a).count() == before
    assert "Give the smart list a name." in response.content.decode()


def test_it_lets_a_member_with_can_delete_remove_a_smart_list(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    person = make_person(first="Stays", categories=["christmas"])
    smart = SmartList.objects.get(account=world.a, name="alpha list")

    response = alice.post(f"/contacts/smart-lists/{smart.pk}/delete/")

    assert response.status_code == 302
    assert not SmartList.objects.filter(pk=smart.pk).exists()
    assert person.__class__.objects.filter(pk=person.pk).exists()


def test_it_refuses_removal_to_an_assistant_without_can_delete(ann: Client, world: World) -> None:
    smart = SmartList.objects.get(account=world.a, name="alpha list")

    html = ann.get("/contacts/").content.decode()
    assert "alpha list" in html
    assert f"/contacts/smart-lists/{smart.pk}/delete/" not in html

    assert ann.post(f"/contacts/smart-lists/{smart.pk}/delete/").status_code == 403
    assert SmartList.objects.filter(pk=smart.pk).exists()


def test_it_lets_an_assistant_save_a_smart_list(ann: Client, world: World) -> None:
    ann.post("/contacts/smart-lists/", {"name": "Ann's", "query": "missing=all"})

    assert SmartList.objects.filter(account=world.a, name="Ann's", created_by=world.ann).exists()


def test_it_keeps_smart_lists_within_the_account(alice: Client, world: World) -> None:
    theirs = SmartList.objects.get(account=world.b)

    assert "bravo list" not in _sidebar(alice)
    assert alice.post(f"/contacts/smart-lists/{theirs.pk}/delete/").status_code == 404
    assert SmartList.objects.filter(pk=theirs.pk).exists()
