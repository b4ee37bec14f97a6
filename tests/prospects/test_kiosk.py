"""The open-house kiosk: the agent's open-house pages and the public sign-in form."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import Contact, Note
from contacts.services import contacts_trash
from prospects.models import Lead, OpenHouse, OpenHouseVisit
from tests.contacts.people import make_person_in
from tests.world import B_MARKER, World


def _open_house(world: World, street: str = "123 Main St") -> OpenHouse:
    return OpenHouse.objects.create(
        account=world.a,
        property_street=street,
        property_city="Fort Collins",
        property_state="CO",
        property_postal_code="80521",
        starts_at=timezone.now(),
        created_by=world.alice,
    )


def _theirs(world: World) -> OpenHouse:
    return OpenHouse.objects.filter(account=world.b).get()


def _sign_in(client: Client, house: OpenHouse, **fields: str) -> object:
    data = {
        "first_name": "Dana",
        "last_name": "Visitor",
        "email": "dana@example.com",
        "phone": "",
        "works_with_agent": "no",
        "timeframe": "3_months",
    }
    data.update(fields)
    return client.post(f"/prospects/kiosk/{house.kiosk_token}/", data)


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


# ---- the public form ---------------------------------------------------------------


def test_it_shows_the_form_without_login_and_nothing_but_the_street(
    client: Client, world: World
) -> None:
    house = _open_house(world)
    response = client.get(f"/prospects/kiosk/{house.kiosk_token}/")
    assert response.status_code == 200
    html = _text(response)
    assert "Welcome to 123 Main St" in html
    for secret in ("Alpha Realty", "alpha", "Alice", "Fort Collins", "80521", "/contacts/"):
        assert secret not in html, secret
    assert 'name="csrfmiddlewaretoken"' in html
    assert response["Cache-Control"].count("no-store")


@pytest.mark.parametrize("how", ["unknown", "revoked"])
def test_it_answers_404_for_an_unknown_or_revoked_link(
    client: Client, world: World, how: str
) -> None:
    house = _open_house(world)
    token = "no-such-token" if how == "unknown" else house.kiosk_token
    if how == "revoked":
        OpenHouse.objects.filter(pk=house.pk).update(kiosk_revoked_at=timezone.now())
    for url in (f"/prospects/kiosk/{token}/", f"/prospects/kiosk/{token}/thanks/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "123 Main St" not in _text(response)
        assert "Alpha" not in _text(response)
    response = client.post(
        f"/prospects/kiosk/{token}/",
        {"first_name": "X", "email": "x@example.com", "csrfmiddlewaretoken": "unused"},
    )
    assert response.status_code == 404
    assert not Contact.objects.filter(first_name="X").exists()


def test_it_makes_a_prospect_with_a_lead_and_a_visit(client: Client, world: World) -> None:
    house = _open_house(world)
    response = _sign_in(client, house, phone="970-555-0177")
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == f"/prospects/kiosk/{house.kiosk_token}/thanks/"  # type: ignore[index]

    person = Contact.objects.get(account=world.a, first_name="Dana", last_name="Visitor")
    assert person.database == "prospects"
    assert list(person.emails.values_list("address", flat=True)) == ["dana@example.com"]
    assert list(person.phones.values_list("e164", flat=True)) == ["+19705550177"]
    lead = Lead.objects.get(contact=person)
    assert lead.account_id == world.a.pk
    assert lead.source is not None and lead.source.key == "open_house"
    assert lead.source.account_id == world.a.pk
    assert lead.stage == "new"
    assert lead.property_address == "123 Main St, Fort Collins, CO 80521"
    visit = OpenHouseVisit.objects.get(open_house=house)
    assert (visit.contact_id, visit.works_with_agent, visit.timeframe) == (
        person.pk,
        "no",
        "3_months",
    )
    assert "Within 3 months" in Note.objects.get(contact=person).body

    thanks = client.get(response["Location"])  # type: ignore[index]
    assert thanks.status_code == 200
    assert f'href="/prospects/kiosk/{house.kiosk_token}/"' in _text(thanks)
    assert "Dana" not in _text(thanks)


@pytest.mark.parametrize(
    "typed",
    [{"email": "Rosa.Diaz@Example.com"}, {"email": "", "phone": "(970) 555 0101"}],
    ids=["email", "phone"],
)
def test_it_attaches_the_visit_to_the_person_with_that_email_or_phone(
    client: Client, world: World, typed: dict[str, str]
) -> None:
    rosa = make_person_in(
        world.a,
        first="Rosa",
        last="Diaz",
        phones=["970 555 0101"],
        emails=["rosa.diaz@example.com"],
    )
    people = Contact.objects.filter(account=world.a).count()
    house = _open_house(world)

    response = _sign_in(client, house, first_name="Rosie", last_name="Diaz", **typed)

    assert response.status_code == 302  # type: ignore[attr-defined]
    assert Contact.objects.filter(account=world.a).count() == people
    assert OpenHouseVisit.objects.get(open_house=house).contact_id == rosa.pk
    note = Note.objects.filter(contact=rosa).latest("created_at")
    assert "123 Main St" in note.body and "Rosie" in note.body
    rosa.refresh_from_db()
    assert rosa.first_name == "Rosa"  # a public form never edits a known person


def test_it_ignores_people_in_the_trash_and_in_other_accounts(client: Client, world: World) -> None:
    gone = make_person_in(world.a, first="Gone", emails=["same@example.com"])
    contacts_trash(contacts=Contact.objects.filter(pk=gone.pk), actor=None)
    make_person_in(world.b, first="Other", emails=["same@example.com"])
    house = _open_house(world)

    _sign_in(client, house, email="same@example.com")

    visit = OpenHouseVisit.objects.get(open_house=house)
    assert visit.contact_id != gone.pk
    assert visit.contact.account_id == world.a.pk
    assert visit.contact.first_name == "Dana"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"first_name": "", "last_name": ""}, "Please tell us your name."),
        ({"email": "", "phone": ""}, "Please give an email address or a phone number."),
        ({"email": "dana@"}, "email address doesn"),
        ({"email": "", "phone": "12"}, "phone number doesn"),
    ],
)
def test_it_keeps_what_was_typed_on_bad_input(
    client: Client, world: World, fields: dict[str, str], message: str
) -> None:
    house = _open_house(world)
    typed = {"last_name": "Keepme", **fields}
    response = _sign_in(client, house, **typed)
    assert response.status_code == 200  # type: ignore[attr-defined]
    html = _text(response)
    assert message in html.replace("&#x27;", "'")
    kept = "Keepme" if typed["last_name"] else "dana@example.com"
    assert f'value="{kept}"' in html
    assert re.search(r'value="no"[^>]*checked', html)
    assert not OpenHouseVisit.objects.filter(open_house=house).exists()


def test_it_keeps_csrf_on(world: World) -> None:
    house = _open_house(world)
    strict = Client(enforce_csrf_checks=True)
    assert _sign_in(strict, house).status_code == 403  # type: ignore[attr-defined]
    strict.get(f"/prospects/kiosk/{house.kiosk_token}/")
    token = strict.cookies["csrftoken"].value
    response = _sign_in(strict, house, csrfmiddlewaretoken=token)
    assert response.status_code == 302  # type: ignore[attr-defined]


# ---- the agent's pages ----------------------------------------------------------------


def test_it_lists_open_houses_with_their_visitor_counts(alice: Client, world: World) -> None:
    house = _open_house(world)
    client = Client()
    _sign_in(client, house)
    _sign_in(client, house, first_name="Eli", email="eli@example.com")

    response = alice.get("/prospects/open-houses/")

    assert response.status_code == 200
    row = next(oh for oh in response.context["open_houses"] if oh.pk == house.pk)
    assert row.visitor_count == 2
    assert "123 Main St" in _text(response)
    assert B_MARKER not in _text(response).lower()


def test_it_lists_open_houses_in_constant_queries(alice: Client, world: World) -> None:
    def queries_with(count: int) -> int:
        OpenHouse.objects.filter(account=world.a).delete()
        for n in range(count):
            house = _open_house(world, street=f"{n} Pine St")
            _sign_in(Client(), house, email=f"v{n}@example.com")
        with CaptureQueriesContext(connection) as captured:
            assert alice.get("/prospects/open-houses/").status_code == 200
        return len(captured)

    alice.get("/prospects/open-houses/")  # the session's first request does more
    assert queries_with(3) == queries_with(30)


def test_it_adds_an_open_house(alice: Client, world: World) -> None:
    response = alice.post(
        "/prospects/open-houses/",
        {
            "property_street": "5 Elm Ct",
            "property_city": "Loveland",
            "property_state": "CO",
            "property_postal_code": "80537",
            "starts_at": "2030-05-04T13:00",
            "ends_at": "2030-05-04T16:00",
        },
    )
    house = OpenHouse.objects.get(account=world.a, property_street="5 Elm Ct")
    assert response.status_code == 302
    assert response["Location"] == f"/prospects/open-houses/{house.pk}/"
    assert house.created_by == world.alice
    assert house.ends_at - house.starts_at == timedelta(hours=3)  # type: ignore[operator]


def test_it_refuses_an_end_before_the_start(alice: Client, world: World) -> None:
    response = alice.post(
        "/prospects/open-houses/",
        {
            "property_street": "5 Elm Ct",
            "starts_at": "2030-05-04T13:00",
            "ends_at": "2030-05-04T12:00",
        },
    )
    assert response.status_code == 200
    assert "The end must come after the start." in _text(response)
    assert not OpenHouse.objects.filter(property_street="5 Elm Ct").exists()


def test_it_shows_the_kiosk_link_and_the_visitors(alice: Client, world: World) -> None:
    house = _open_house(world)
    _sign_in(Client(), house)
    dana = Contact.objects.get(account=world.a, first_name="Dana")

    html = _text(alice.get(f"/prospects/open-houses/{house.pk}/"))

    assert f"http://testserver/prospects/kiosk/{house.kiosk_token}/" in html
    assert f'href="/contacts/{dana.pk}/"' in html
    assert "Copy link" in html and "Revoke link" in html and "New link" in html


def test_it_revokes_and_renews_the_link(alice: Client, world: World) -> None:
    house = _open_house(world)
    old = house.kiosk_token

    assert alice.post(f"/prospects/open-houses/{house.pk}/kiosk/revoke/").status_code == 302
    house.refresh_from_db()
    assert house.kiosk_revoked_at is not None
    assert Client().get(f"/prospects/kiosk/{old}/").status_code == 404

    assert alice.post(f"/prospects/open-houses/{house.pk}/kiosk/new/").status_code == 302
    house.refresh_from_db()
    assert house.kiosk_revoked_at is None and house.kiosk_token != old
    assert Client().get(f"/prospects/kiosk/{old}/").status_code == 404
    assert Client().get(f"/prospects/kiosk/{house.kiosk_token}/").status_code == 200


def test_it_answers_404_for_another_accounts_open_house(alice: Client, world: World) -> None:
    theirs = _theirs(world)
    token, revoked = theirs.kiosk_token, theirs.kiosk_revoked_at
    for url in (
        f"/prospects/open-houses/{theirs.pk}/",
        f"/prospects/open-houses/{theirs.pk}/kiosk/revoke/",
        f"/prospects/open-houses/{theirs.pk}/kiosk/new/",
    ):
        response = alice.post(url) if "kiosk" in url else alice.get(url)
        assert response.status_code == 404, url
        assert B_MARKER not in _text(response).lower()
    theirs.refresh_from_db()
    assert (theirs.kiosk_token, theirs.kiosk_revoked_at) == (token, revoked)


def test_it_needs_a_login_for_the_agent_pages(client: Client, world: World) -> None:
    house = _open_house(world)
    for url in ("/prospects/open-houses/", f"/prospects/open-houses/{house.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_it_lets_an_assistant_run_open_houses(ann: Client, world: World) -> None:
    house = _open_house(world)
    assert ann.get("/prospects/open-houses/").status_code == 200
    assert ann.get(f"/prospects/open-houses/{house.pk}/").status_code == 200
    assert ann.post(f"/prospects/open-houses/{house.pk}/kiosk/new/").status_code == 302
    response = ann.post(
        "/prospects/open-houses/",
        {"property_street": "8 Oak Rd", "starts_at": "2030-05-04T13:00"},
    )
    assert response.status_code == 302
    assert OpenHouse.objects.filter(account=world.a, property_street="8 Oak Rd").exists()
