from datetime import UTC, datetime

from django.contrib.contenttypes.models import ContentType
from django.test import Client

from crm.models import AuditEntry, Category, Membership
from tests.conftest import login
from tests.world import World


def _entries(world: World, model: type, pk: int) -> list[AuditEntry]:
    content_type = ContentType.objects.get_for_model(model)
    return list(
        AuditEntry.objects.for_account(world.a)
        .filter(subject_type=content_type, subject_id=str(pk))
        .order_by("created_at", "id")
    )


def _rows(response: object) -> str:
    html = response.content.decode()  # type: ignore[attr-defined]
    return html[html.index('<div id="audit-rows">') :]


def _farm(world: World) -> Category:
    return Category.objects.get(account=world.a, name="alpha farm")


def test_it_records_a_new_category(alice: Client, world: World) -> None:
    alice.post("/categories/", {"name": "Open house", "description": "Met at open houses"})

    category = Category.objects.get(account=world.a, name="Open house")
    [entry] = _entries(world, Category, category.pk)
    assert entry.actor == world.alice
    assert entry.action == "create"
    assert entry.object_repr == "Open house"
    assert entry.changes["name"] == [None, "Open house"]
    assert entry.changes["description"] == [None, "Met at open houses"]


def test_it_records_a_rename_with_old_and_new_values(alice: Client, world: World) -> None:
    farm = _farm(world)

    alice.post(f"/categories/{farm.pk}/", {"name": "Hillside farm", "description": "alpha"})

    entry = _entries(world, Category, farm.pk)[-1]
    assert entry.actor == world.alice
    assert entry.action == "update"
    assert entry.changes == {"name": ["alpha farm", "Hillside farm"]}


def test_it_records_a_deletion(alice: Client, world: World) -> None:
    farm = _farm(world)

    alice.post(f"/categories/{farm.pk}/delete/")

    assert not Category.objects.filter(pk=farm.pk).exists()
    entry = _entries(world, Category, farm.pk)[-1]
    assert entry.actor == world.alice
    assert entry.action == "delete"
    assert entry.changes["name"] == ["alpha farm", None]


def test_it_shows_the_history_on_the_category_page(alice: Client, world: World) -> None:
    farm = _farm(world)
    alice.post(f"/categories/{farm.pk}/", {"name": "Hillside farm", "description": "alpha"})

    response = alice.get(f"/categories/{farm.pk}/")

    content = response.content.decode()
    assert '<h2 id="history-title">History</h2>' in content
    assert "<del>alpha farm</del> → <ins>Hillside farm</ins>" in content
    assert "by Alice Agent" in content


def test_it_lists_changes_on_the_activity_page(alice: Client, world: World) -> None:
    farm = _farm(world)
    alice.post(f"/categories/{farm.pk}/", {"name": "Hillside farm", "description": "alpha"})

    response = alice.get("/activity/")

    assert response.status_code == 200
    rows = _rows(response)
    assert "<del>alpha farm</del> → <ins>Hillside farm</ins>" in rows
    assert "Alice Agent" in rows


def test_it_filters_the_activity_by_actor(alice: Client, world: World) -> None:
    farm = _farm(world)
    login(Client(), world.pat.email).post(
        f"/categories/{farm.pk}/", {"name": "Pat's farm", "description": ""}
    )
    alice.post("/categories/", {"name": "Alice's list", "description": ""})

    by_pat = _rows(alice.get(f"/activity/?actor={world.pat.pk}"))
    by_alice = _rows(alice.get(f"/activity/?actor={world.alice.pk}"))

    # Pat's rename is his; links to the farm made by alice now name it too, so look
    # for the rename itself.
    assert "<del>alpha farm</del>" in by_pat
    assert "Alice&#x27;s list" not in by_pat
    assert "Alice&#x27;s list" in by_alice
    assert "<del>alpha farm</del>" not in by_alice


def test_it_filters_the_activity_by_record_type(alice: Client, world: World) -> None:
    alice.post("/categories/", {"name": "Open house", "description": ""})
    membership_type = ContentType.objects.get_for_model(Membership)

    rows = _rows(alice.get(f"/activity/?record_type={membership_type.pk}"))

    assert "Ann Assistant in Alpha Realty" in rows
    assert "Open house" not in rows
    assert "alpha farm" not in rows


def test_it_filters_the_activity_by_action(alice: Client, world: World) -> None:
    farm = _farm(world)
    alice.post(f"/categories/{farm.pk}/", {"name": "Hillside farm", "description": "alpha"})

    rows = _rows(alice.get("/activity/?action=update"))

    assert "Hillside farm" in rows
    assert "Created" not in rows
    assert "Open house" not in rows


def test_it_filters_the_activity_by_date(alice: Client, world: World) -> None:
    alice.post("/categories/", {"name": "Old news", "description": ""})
    old = AuditEntry.objects.for_account(world.a).get(object_repr="Old news")
    old.created_at = datetime(2024, 1, 15, 18, 0, tzinfo=UTC)
    old.save()

    before = _rows(alice.get("/activity/?until=2024-01-31"))
    since = _rows(alice.get("/activity/?since=2024-02-01"))
    that_day = _rows(alice.get("/activity/?since=2024-01-15&until=2024-01-15"))

    assert "Old news" in before
    assert "alpha farm" not in before
    assert "Old news" not in since
    assert "alpha farm" in since
    assert "Old news" in that_day
    assert "alpha farm" not in that_day


def test_it_records_membership_flag_changes(alice: Client, world: World) -> None:
    ann = Membership.objects.get(account=world.a, user=world.ann)

    response = alice.post(
        f"/team/{ann.pk}/", {"role": "assistant", "can_export": "on", "can_see_income": "on"}
    )

    assert response.status_code == 302
    entry = _entries(world, Membership, ann.pk)[-1]
    assert entry.actor == world.alice
    assert entry.action == "update"
    assert entry.changes == {"can_see_income": [False, True], "can_export": [False, True]}
    page = alice.get(f"/team/{ann.pk}/").content.decode()
    assert "<del>No</del> → <ins>Yes</ins>" in page


def test_it_keeps_other_accounts_out_of_the_activity(alice: Client, world: World) -> None:
    bob = login(Client(), world.bob.email)
    bravo_farm = Category.objects.get(account=world.b, name="bravo farm")
    bob.post(f"/categories/{bravo_farm.pk}/", {"name": "bravo ranch", "description": "bravo"})
    bravo_types = AuditEntry.objects.for_account(world.b).values_list("content_type", flat=True)

    pages = [
        alice.get("/activity/"),
        alice.get(f"/activity/?actor={world.bob.pk}"),
        alice.get("/activity/?action=update"),
        *[alice.get(f"/activity/?record_type={pk}") for pk in set(bravo_types)],
        alice.get("/"),
    ]

    for page in pages:
        assert page.status_code == 200
        assert "bravo" not in page.content.decode().lower()


def test_it_keeps_other_accounts_history_off_a_category_page(alice: Client, world: World) -> None:
    bravo_farm = Category.objects.get(account=world.b, name="bravo farm")

    response = alice.get(f"/categories/{bravo_farm.pk}/")

    assert response.status_code == 404
    assert b"bravo" not in response.content.lower()
