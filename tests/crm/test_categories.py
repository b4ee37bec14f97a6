import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contacts.models import Contact, ContactCategory
from crm import services
from crm.models import Account, AuditEntry, Category
from tests.world import World


def _farm(world: World) -> Category:
    return Category.objects.get(account=world.a, name="alpha farm")


def _cold(world: World) -> Category:
    return Category.objects.get(account=world.a, key="cold")


def _tag(account: Account, category: Category, *names: str) -> list[Contact]:
    people = []
    for name in names:
        person = Contact.objects.create(account=account, first_name=name, last_name="Tagged")
        ContactCategory.objects.create(account=account, contact=person, category=category)
        people.append(person)
    return people


def _people_cell(html: str, category: Category) -> str:
    row = re.search(rf'<tr id="category-{category.pk}">.*?</tr>', html, re.S)
    assert row, f"no row for {category}"
    cell = re.search(r'<td data-label="People" class="num">([^<]*)</td>', row.group(0))
    assert cell
    return cell.group(1)


def _messages(response: object) -> str:
    return " ".join(str(m) for m in response.context["messages"])  # type: ignore[attr-defined]


def test_it_adds_a_category(alice: Client, world: World) -> None:
    response = alice.post(
        "/categories/", {"name": "  Open house ", "description": "Met at open houses"}
    )

    assert response.status_code == 302
    category = Category.objects.get(account=world.a, name="Open house")
    assert category.description == "Met at open houses"
    assert not category.is_system


def test_it_refuses_a_duplicate_name_whatever_the_case(alice: Client, world: World) -> None:
    before = Category.objects.for_account(world.a).count()

    response = alice.post("/categories/", {"name": "COLD", "description": "my own cold list"})

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["There is already a category called “COLD”."]
    content = response.content.decode()
    assert 'value="COLD"' in content
    assert "my own cold list" in content
    assert Category.objects.for_account(world.a).count() == before


def test_it_allows_a_name_used_in_another_account(alice: Client, world: World) -> None:
    response = alice.post("/categories/", {"name": "Bravo Farm", "description": ""})

    assert response.status_code == 302
    assert Category.objects.filter(account=world.a, name="Bravo Farm").exists()


def test_it_renames_a_category(alice: Client, world: World) -> None:
    farm = _farm(world)

    response = alice.post(f"/categories/{farm.pk}/", {"name": "Hillside", "description": "new"})

    assert response.status_code == 302
    farm.refresh_from_db()
    assert (farm.name, farm.description) == ("Hillside", "new")


def test_it_renames_a_built_in_category_and_keeps_its_key(alice: Client, world: World) -> None:
    cold = _cold(world)

    alice.post(f"/categories/{cold.pk}/", {"name": "Do not call", "description": ""})

    cold.refresh_from_db()
    assert (cold.name, cold.key) == ("Do not call", "cold")


def test_it_refuses_a_rename_onto_another_name(alice: Client, world: World) -> None:
    farm = _farm(world)

    response = alice.post(f"/categories/{farm.pk}/", {"name": "top100", "description": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert 'value="top100"' in response.content.decode()
    farm.refresh_from_db()
    assert farm.name == "alpha farm"


def test_it_deletes_a_category(alice: Client, world: World) -> None:
    farm = _farm(world)

    response = alice.post(f"/categories/{farm.pk}/delete/", follow=True)

    assert not Category.objects.filter(pk=farm.pk).exists()
    assert "Deleted “alpha farm”." in _messages(response)
    assert Contact.objects.for_account(world.a).count() == 2


def test_it_refuses_to_delete_a_built_in_category(alice: Client, world: World) -> None:
    cold = _cold(world)

    response = alice.post(f"/categories/{cold.pk}/delete/", follow=True)

    assert Category.objects.filter(pk=cold.pk).exists()
    assert "“Cold” is used by the CRM's own rules" in _messages(response)


def test_it_refuses_deletion_to_an_assistant(ann: Client, world: World) -> None:
    farm = _farm(world)

    response = ann.post(f"/categories/{farm.pk}/delete/")

    assert response.status_code == 403
    assert Category.objects.filter(pk=farm.pk).exists()


def test_it_gives_404_for_another_accounts_category(alice: Client, world: World) -> None:
    bravo = Category.objects.get(account=world.b, name="bravo farm")

    assert alice.post(f"/categories/{bravo.pk}/delete/").status_code == 404
    assert alice.post(f"/categories/{bravo.pk}/", {"name": "x"}).status_code == 404
    bravo.refresh_from_db()
    assert bravo.name == "bravo farm"


def test_it_merges_two_categories(alice: Client, world: World) -> None:
    farm = _farm(world)
    top = Category.objects.get(account=world.a, key="top100")
    [both] = _tag(world.a, top, "Both")
    ContactCategory.objects.create(account=world.a, contact=both, category=farm)
    farm_people = set(
        ContactCategory.objects.filter(category=farm).values_list("contact_id", flat=True)
    )

    response = alice.post("/categories/merge/", {"source": farm.pk, "target": top.pk}, follow=True)

    assert "Merged into “Top100”." in _messages(response)
    assert not Category.objects.filter(pk=farm.pk).exists()
    links = ContactCategory.objects.filter(category=top)
    assert set(links.values_list("contact_id", flat=True)) == farm_people
    assert links.filter(contact=both).count() == 1
    assert all(link.account_id == world.a.pk for link in links)
    entry = AuditEntry.objects.for_account(world.a).get(action="merge")
    assert entry.actor == world.alice
    assert entry.object_id == str(top.pk)
    assert entry.changes["merged_from"] == ["alpha farm", "Top100"]
    assert entry.changes["people_moved"] == [None, 2]


def test_it_refuses_to_merge_a_built_in_source(alice: Client, world: World) -> None:
    cold = _cold(world)
    farm = _farm(world)
    [person] = _tag(world.a, cold, "Chilly")

    response = alice.post("/categories/merge/", {"source": cold.pk, "target": farm.pk}, follow=True)

    assert response.status_code == 200
    assert "Choose the category to merge and the one to keep." in _messages(response)
    assert Category.objects.filter(pk=cold.pk).exists()
    assert ContactCategory.objects.filter(category=cold, contact=person).exists()
    assert not AuditEntry.objects.filter(action="merge").exists()


def test_it_refuses_a_built_in_source_in_the_service_too(world: World) -> None:
    with pytest.raises(ValidationError, match="merge others into it instead"):
        services.category_merge(source=_cold(world), target=_farm(world))

    assert Category.objects.filter(pk=_cold(world).pk).exists()


def test_it_refuses_to_merge_a_category_into_itself(alice: Client, world: World) -> None:
    farm = _farm(world)

    response = alice.post("/categories/merge/", {"source": farm.pk, "target": farm.pk}, follow=True)

    assert "Choose two different categories to merge." in _messages(response)
    assert Category.objects.filter(pk=farm.pk).exists()


def test_it_refuses_to_merge_with_another_accounts_category(alice: Client, world: World) -> None:
    farm = _farm(world)
    bravo = Category.objects.get(account=world.b, name="bravo farm")

    alice.post("/categories/merge/", {"source": bravo.pk, "target": farm.pk})
    alice.post("/categories/merge/", {"source": farm.pk, "target": bravo.pk})

    assert Category.objects.filter(pk=bravo.pk).exists()
    assert Category.objects.filter(pk=farm.pk).exists()
    assert ContactCategory.objects.filter(category=bravo).count() == 2
    assert ContactCategory.objects.filter(category=farm).count() == 2


def test_it_shows_how_many_people_each_category_has(alice: Client, world: World) -> None:
    farm = _farm(world)
    top = Category.objects.get(account=world.a, key="top100")
    _tag(world.a, top, "One", "Two", "Three")

    html = alice.get("/categories/").content.decode()

    assert _people_cell(html, farm) == "2"
    assert _people_cell(html, top) == "3"
    assert _people_cell(html, _cold(world)) == "0"


def _fill(account: Account, count: int) -> None:
    """Exactly ``count`` categories in the account, each with two people."""
    Category.objects.for_account(account).delete()
    for n in range(count):
        category = Category.objects.create(account=account, name=f"List {n:02}")
        _tag(account, category, f"P{n}a", f"P{n}b")


def test_it_lists_categories_in_a_constant_number_of_queries(alice: Client, world: World) -> None:
    def queries_for(count: int) -> int:
        _fill(world.a, count)
        with CaptureQueriesContext(connection) as captured:
            response = alice.get("/categories/")
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count('<tr id="category-') == count
        last = Category.objects.for_account(world.a).get(name=f"List {count - 1:02}")
        assert _people_cell(html, last) == "2"
        return len(captured)

    alice.get("/categories/")  # the session and the first-visit work out of the way
    with_3 = queries_for(3)
    with_30 = queries_for(30)

    assert with_3 == with_30
    assert with_3 <= 12
