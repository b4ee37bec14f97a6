"""Pages for people: the editor, the person picker, logging from the list row, bulk actions,
what an assistant without can_delete may do, and another account's ids."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from contacts.models import Contact, ContactCategory, Note, Phone, PhoneStatus
from contacts.services import AddressInput, contacts_trash
from crm.models import Task
from tests.contacts.conftest import MakePerson
from tests.contacts.people import category, editor_post
from tests.world import World

HX = {"HX-Request": "true"}


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def _messages(response: object) -> str:
    return " ".join(str(m) for m in response.context["messages"])  # type: ignore[attr-defined]


def _keys(contact: Contact) -> set[str]:
    return set(
        ContactCategory.objects.filter(contact=contact).values_list("category__key", flat=True)
    )


def _theirs(world: World) -> Contact:
    return Contact.objects.filter(account=world.b, database="contacts").get()


# ---- the editor ------------------------------------------------------------------------


def test_it_adds_a_person_through_the_form(alice: Client, world: World) -> None:
    xmas = category(world.a, "christmas")

    response = alice.post(
        "/contacts/new/",
        editor_post(
            first_name="Jack",
            last_name="Smith",
            salutation="Jack & Sandy Smith",
            birthday="1970-03-14",
            phones=["970.555.0123", ""],
            emails=["Jack@Example.com"],
            addresses=[{"street": "12 Elm St", "city": "Ault", "state": "CO"}],
            categories=[xmas.pk],
        ),
        follow=True,
    )

    jack = Contact.objects.get(account=world.a, first_name="Jack")
    assert response.redirect_chain == [(f"/contacts/{jack.pk}/", 302)]
    assert "Added Jack Smith." in _messages(response)
    assert [p.e164 for p in jack.phones.all()] == ["+19705550123"]
    assert [e.address for e in jack.emails.all()] == ["jack@example.com"]
    assert [a.street for a in jack.addresses.all()] == ["12 Elm St"]
    assert _keys(jack) == {"christmas"}
    assert jack.birthday_md == 314
    html = _text(response)
    assert "(970) 555-0123" in html
    assert "Jack &amp; Sandy Smith" in html


def test_it_warns_about_a_phone_it_kept_as_typed(alice: Client, world: World) -> None:
    response = alice.post(
        "/contacts/new/", editor_post(first_name="Jack", phones=["ask the front desk"]), follow=True
    )

    jack = Contact.objects.get(account=world.a, first_name="Jack")
    assert [p.raw for p in jack.phones.all()] == ["ask the front desk"]
    assert "Kept “ask the front desk” as typed" in _messages(response)
    assert "not understood" in _text(response)


def test_it_keeps_what_the_user_typed_when_the_form_has_errors(alice: Client, world: World) -> None:
    before = Contact.objects.count()

    response = alice.post(
        "/contacts/new/",
        editor_post(
            first_name="Jack",
            last_name="O'Neil",
            phones=["(970) 555-0123", "call the office"],
            emails=["jack at example"],
            addresses=[{"street": "12 Elm St", "city": "Ault"}],
        ),
    )

    assert response.status_code == 200
    assert Contact.objects.count() == before
    html = _text(response)
    assert 'value="Jack"' in html
    assert 'value="O&#x27;Neil"' in html
    assert 'name="phones-0-raw" value="(970) 555-0123"' in html
    assert 'name="phones-1-raw" value="call the office"' in html
    assert 'name="emails-0-address" value="jack at example"' in html
    assert 'name="addresses-0-street" value="12 Elm St"' in html
    assert "Enter a valid email address." in html
    assert "Nothing was saved yet" in html


def test_it_keeps_what_the_user_typed_when_the_service_refuses(alice: Client) -> None:
    response = alice.post("/contacts/new/", editor_post(phones=["970 555 0123"], how_met="Gym"))

    assert response.status_code == 200
    html = _text(response)
    assert "Give at least a first name, last name or company." in html
    assert 'value="970 555 0123"' in html
    assert 'value="Gym"' in html


def test_it_shows_a_persons_phones_emails_and_addresses_in_the_editor(
    alice: Client, make_person: MakePerson
) -> None:
    jack = make_person(
        first="Jack",
        phones=["9705550123", "hotel desk"],
        emails=["jack@example.com"],
        addresses=[AddressInput(street="12 Elm St", city="Ault", state="CO")],
    )

    html = _text(alice.get(f"/contacts/{jack.pk}/edit/"))

    assert 'name="phones-TOTAL_FORMS" value="3"' in html  # two phones and a blank
    assert 'name="phones-0-raw" value="9705550123"' in html
    assert 'name="phones-1-raw" value="hotel desk"' in html
    assert 'name="emails-0-address" value="jack@example.com"' in html
    assert 'name="addresses-0-street" value="12 Elm St"' in html
    assert "Add a phone" in html
    assert "phones-__prefix__-raw" in html


def test_it_edits_a_person_through_the_form(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    jack = make_person(first="Jack", phones=["9705550123"], categories=["christmas"])
    phone_pk = jack.phones.get().pk
    top = category(world.a, "top100")

    response = alice.post(
        f"/contacts/{jack.pk}/edit/",
        editor_post(
            first_name="Jack",
            last_name="Smith",
            phones=["(970) 555-0123", "303 555 0199"],
            categories=[top.pk],
        ),
    )

    assert response.status_code == 302
    jack.refresh_from_db()
    assert jack.last_name == "Smith"
    assert [p.e164 for p in jack.phones.all()] == ["+19705550123", "+13035550199"]
    assert jack.phones.first().pk == phone_pk  # type: ignore[union-attr]
    assert _keys(jack) == {"top100"}


def test_it_refuses_a_category_of_another_account(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    jack = make_person(first="Jack")
    theirs = category(world.b, "christmas")

    response = alice.post(
        f"/contacts/{jack.pk}/edit/", editor_post(first_name="Jack", categories=[theirs.pk])
    )

    assert response.status_code == 200
    assert _keys(jack) == set()


# ---- the person picker -----------------------------------------------------------------


def test_it_picks_a_spouse_by_name(alice: Client, make_person: MakePerson) -> None:
    sandy = make_person(first="Sandy", last="Smith")
    jack = make_person(first="Jack", last="Smith")

    alice.post(f"/contacts/{jack.pk}/edit/", editor_post(first_name="Jack", spouse=sandy.pk))

    jack.refresh_from_db()
    assert jack.spouse == sandy
    html = _text(alice.get(f"/contacts/{jack.pk}/edit/"))
    assert f'name="spouse" value="{sandy.pk}"' in html
    assert 'value="Sandy Smith"' in html


def test_it_looks_up_only_this_accounts_people(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    make_person(first="Sandy", last="Smith", company="Smith Realty")
    make_person(first="Sandy", last="Bravo", account=world.b)
    gone = make_person(first="Sandy", last="Gone")
    contacts_trash(contacts=Contact.objects.filter(pk=gone.pk), actor=world.alice)

    html = _text(alice.get("/contacts/lookup/", {"field": "spouse", "spouse__search": "sandy"}))

    assert "Sandy Smith" in html
    assert "Smith Realty" in html
    assert "Bravo" not in html
    assert "Gone" not in html
    assert (
        _text(alice.get("/contacts/lookup/", {"q": "bravo"}))
        .strip()
        .endswith("Nobody by that name.</p>")
    )
    assert "data-pick-id" not in _text(alice.get("/contacts/lookup/", {"q": ""}))


def test_it_leaves_the_person_being_edited_out_of_the_picker(
    alice: Client, make_person: MakePerson
) -> None:
    jack = make_person(first="Jack", last="Smith")
    make_person(first="Sandy", last="Smith")

    editor = _text(alice.get(f"/contacts/{jack.pk}/edit/"))
    assert f'"exclude": "{jack.pk}"' in editor
    html = _text(alice.get("/contacts/lookup/", {"q": "smith", "exclude": jack.pk}))

    assert "Sandy Smith" in html
    assert "Jack Smith" not in html


def test_it_finds_prospects_in_the_picker(alice: Client) -> None:
    html = _text(alice.get("/contacts/lookup/", {"q": "alphalead"}))

    assert "alphalead alphaprospect" in html


def test_it_refuses_a_spouse_from_another_account_without_naming_them(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    jack = make_person(first="Jack")
    theirs = _theirs(world)

    response = alice.post(
        f"/contacts/{jack.pk}/edit/",
        editor_post(first_name="Jack", spouse=theirs.pk, referred_by=theirs.pk),
    )

    assert response.status_code == 200
    jack.refresh_from_db()
    assert jack.spouse is None
    html = _text(response)
    assert "Select a valid choice" in html
    assert "bravo" not in html.lower()


def test_it_survives_a_tampered_picker_value(alice: Client, make_person: MakePerson) -> None:
    jack = make_person(first="Jack")

    response = alice.post(f"/contacts/{jack.pk}/edit/", editor_post(first_name="Jack", spouse="x"))

    assert response.status_code == 200
    assert "Select a valid choice" in _text(response)


# ---- logging a contact -----------------------------------------------------------------


def test_it_opens_the_log_form_under_the_list_row(alice: Client, make_person: MakePerson) -> None:
    jack = make_person(first="Jack", phones=["9705550123"])

    response = alice.get(f"/contacts/{jack.pk}/log/", headers=HX)

    html = _text(response)
    assert html.lstrip().startswith(f'<tr class="log-row" id="log-row-{jack.pk}">')
    assert "<html" not in html
    assert "Call: connected" in html
    assert "(970) 555-0123 (Mobile)" in html


def test_it_logs_from_the_list_row_and_returns_the_updated_row(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    jack = make_person(first="Jack")

    response = alice.post(
        f"/contacts/{jack.pk}/log/",
        {"kind": "call_connected", "body": "Wants to sell in spring"},
        headers=HX,
    )

    assert response.status_code == 200
    html = _text(response)
    row = re.search(rf'<tr id="contact-row-{jack.pk}"[^>]*>', html)
    assert row, html
    assert "row-logged" in row.group(0)
    assert 'hx-swap-oob="outerHTML"' in row.group(0)
    assert "logged" in html
    assert "<html" not in html
    jack.refresh_from_db()
    assert jack.last_contacted_at is not None
    note = Note.objects.get(contact=jack)
    assert (note.kind, note.body, note.author) == (
        "call_connected",
        "Wants to sell in spring",
        world.alice,
    )


def test_it_returns_the_log_form_with_its_errors_to_the_list_row(
    alice: Client, make_person: MakePerson
) -> None:
    jack = make_person(first="Jack")

    response = alice.post(f"/contacts/{jack.pk}/log/", {"body": "kept"}, headers=HX)

    html = _text(response)
    assert html.lstrip().startswith('<tr class="log-row"')
    assert "This field is required." in html
    assert ">\nkept</textarea>" in html
    assert not Note.objects.filter(contact=jack).exists()


def test_it_logs_from_the_record_with_a_follow_up_and_a_bad_phone(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    jack = make_person(first="Jack", phones=["9705550123"])
    phone = jack.phones.get()
    due = timezone.localdate() + timedelta(days=7)

    response = alice.post(
        f"/contacts/{jack.pk}/log/",
        {
            "kind": "no_answer",
            "follow_up_on": due.isoformat(),
            "phone": phone.pk,
            "phone_status": "bad",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{jack.pk}/"
    phone.refresh_from_db()
    assert phone.status == PhoneStatus.BAD
    assert Task.objects.get(account=world.a, related_id=str(jack.pk)).due_on == due
    jack.refresh_from_db()
    assert jack.last_contacted_at is None


def test_it_goes_back_to_the_list_after_logging_from_the_log_page(
    alice: Client, make_person: MakePerson
) -> None:
    jack = make_person(first="Jack")

    response = alice.post(
        f"/contacts/{jack.pk}/log/", {"kind": "met", "next": "/contacts/?sort=name"}
    )
    assert response["Location"] == "/contacts/?sort=name"

    response = alice.post(
        f"/contacts/{jack.pk}/log/", {"kind": "met", "next": "https://evil.example/"}
    )
    assert response["Location"] == f"/contacts/{jack.pk}/"


def test_it_refuses_to_mark_another_persons_phone(alice: Client, make_person: MakePerson) -> None:
    jack = make_person(first="Jack", phones=["9705550123"])
    sandy = make_person(first="Sandy", phones=["9705550124"])
    theirs = sandy.phones.get()

    response = alice.post(f"/contacts/{jack.pk}/phones/{theirs.pk}/status/", {"status": "dnc"})

    assert response.status_code == 404
    assert Phone.objects.get(pk=theirs.pk).status == PhoneStatus.OK


def test_it_marks_a_phone_dnc_from_the_record(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    jack = make_person(first="Jack", phones=["9705550123"])
    phone = jack.phones.get()

    response = alice.post(f"/contacts/{jack.pk}/phones/{phone.pk}/status/", {"status": "dnc"})

    assert response.status_code == 302
    assert Phone.objects.get(pk=phone.pk).status == PhoneStatus.DNC
    assert "cold" in _keys(jack)
    html = _text(alice.get(f"/contacts/{jack.pk}/"))
    assert "Asked not to be called (DNC)" in html


def test_it_adds_a_note(alice: Client, world: World, make_person: MakePerson) -> None:
    jack = make_person(first="Jack")

    alice.post(f"/contacts/{jack.pk}/notes/", {"body": "Likes the lake"})

    note = Note.objects.get(contact=jack)
    assert (note.kind, note.body, note.author) == ("note", "Likes the lake", world.alice)
    assert "Likes the lake" in _text(alice.get(f"/contacts/{jack.pk}/"))


# ---- bulk actions ----------------------------------------------------------------------


@pytest.fixture
def three(make_person: MakePerson) -> list[Contact]:
    return [
        make_person(first="Ann", last="Bulk", categories=["christmas"]),
        make_person(first="Ben", last="Bulk"),
        make_person(first="Cy", last="Other"),
    ]


def test_it_adds_and_removes_categories_on_ticked_people(
    alice: Client, world: World, three: list[Contact]
) -> None:
    ann, ben, cy = three
    top, xmas = category(world.a, "top100"), category(world.a, "christmas")

    alice.post(
        "/contacts/bulk/",
        {"action": "add_categories", "ids": [ann.pk, ben.pk], "categories": [top.pk]},
    )
    assert (_keys(ann), _keys(ben), _keys(cy)) == ({"christmas", "top100"}, {"top100"}, set())

    alice.post(
        "/contacts/bulk/",
        {"action": "remove_categories", "ids": [ann.pk, cy.pk], "categories": [top.pk, xmas.pk]},
    )
    assert (_keys(ann), _keys(ben), _keys(cy)) == (set(), {"top100"}, set())


def test_it_marks_ticked_people_cold(alice: Client, three: list[Contact]) -> None:
    ann, ben, cy = three

    response = alice.post("/contacts/bulk/", {"action": "mark_cold", "ids": [ann.pk, cy.pk]})

    assert response.status_code == 302
    assert (_keys(ann), _keys(ben), _keys(cy)) == ({"christmas", "cold"}, set(), {"cold"})


def test_it_deletes_ticked_people_to_the_trash(
    alice: Client, world: World, three: list[Contact]
) -> None:
    ann, ben, _ = three

    response = alice.post("/contacts/bulk/", {"action": "delete", "ids": [ann.pk, ben.pk]})

    assert response.status_code == 302
    assert set(Contact.objects.in_trash().filter(account=world.a).values_list("pk", flat=True)) == {
        ann.pk,
        ben.pk,
    }
    trash = _text(alice.get("/contacts/trash/"))
    assert "Ann Bulk" in trash and "Ben Bulk" in trash and "Cy Other" not in trash


def test_it_acts_on_everyone_matching_the_query(alice: Client, three: list[Contact]) -> None:
    ann, ben, cy = three

    alice.post(
        "/contacts/bulk/",
        {"action": "mark_cold", "all_matching": "1", "query": "q=bulk&database=contacts"},
    )
    assert ("cold" in _keys(ann), "cold" in _keys(ben), "cold" in _keys(cy)) == (
        True,
        True,
        False,
    )

    response = alice.post(
        "/contacts/bulk/", {"action": "delete", "all_matching": "1", "query": "q=bulk"}
    )
    assert response["Location"] == "/contacts/?q=bulk"
    assert [c.pk for c in Contact.objects.in_trash().filter(last_name="Bulk")] == sorted(
        [ann.pk, ben.pk]
    )
    assert not Contact.objects.get(pk=cy.pk).in_trash


def test_it_ignores_another_accounts_ids_in_a_bulk_action(alice: Client, world: World) -> None:
    theirs = _theirs(world)

    alice.post("/contacts/bulk/", {"action": "delete", "ids": [theirs.pk]})
    alice.post("/contacts/bulk/", {"action": "mark_cold", "ids": [theirs.pk]})

    theirs.refresh_from_db()
    assert not theirs.in_trash
    assert "cold" not in _keys(theirs)


def test_it_asks_for_a_selection_and_for_categories(alice: Client, three: list[Contact]) -> None:
    response = alice.post("/contacts/bulk/", {"action": "mark_cold"}, follow=True)
    assert "Select some people first." in _messages(response)

    response = alice.post(
        "/contacts/bulk/", {"action": "add_categories", "ids": [three[0].pk]}, follow=True
    )
    assert "Choose the categories." in _messages(response)


# ---- an assistant without can_delete or can_export -------------------------------------


def test_it_shows_an_assistant_no_delete_buttons(
    ann: Client, world: World, make_person: MakePerson
) -> None:
    jack = make_person(first="Jack", phones=["9705550123"])

    for url in ("/contacts/", f"/contacts/{jack.pk}/"):
        html = _text(ann.get(url))
        assert "/delete/" not in html, url
        assert 'value="delete"' not in html, url
        assert "Delete (to the trash)" not in html, url
        assert 'value="export_csv"' not in html, url


def test_it_shows_an_owner_the_delete_buttons(alice: Client, make_person: MakePerson) -> None:
    jack = make_person(first="Jack")

    assert 'value="delete"' in _text(alice.get("/contacts/"))
    assert f"/contacts/{jack.pk}/delete/" in _text(alice.get(f"/contacts/{jack.pk}/"))


def test_it_refuses_an_assistant_the_delete_endpoint(ann: Client, make_person: MakePerson) -> None:
    jack = make_person(first="Jack")

    assert ann.post(f"/contacts/{jack.pk}/delete/").status_code == 403
    jack.refresh_from_db()
    assert not jack.in_trash


@pytest.mark.parametrize("action", ["delete", "export_csv", "export_vcard"])
def test_it_refuses_an_assistant_bulk_delete_and_export(
    ann: Client, three: list[Contact], action: str
) -> None:
    ids = [c.pk for c in three]

    assert ann.post("/contacts/bulk/", {"action": action, "ids": ids}).status_code == 403
    assert (
        ann.post(
            "/contacts/bulk/", {"action": action, "all_matching": "1", "query": ""}
        ).status_code
        == 403
    )
    assert not Contact.objects.in_trash().filter(pk__in=ids).exists()


def test_it_lets_an_assistant_tag_and_log(ann: Client, world: World, three: list[Contact]) -> None:
    ann_bulk = three[0]

    assert (
        ann.post("/contacts/bulk/", {"action": "mark_cold", "ids": [ann_bulk.pk]}).status_code
        == 302
    )
    assert ann.post(f"/contacts/{ann_bulk.pk}/log/", {"kind": "met"}).status_code == 302
    assert "cold" in _keys(ann_bulk)


# ---- trash and deceased pages ----------------------------------------------------------


def test_it_deletes_and_restores_a_person(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    jack = make_person(first="Jack", phones=["9705550123"], categories=["christmas"])

    response = alice.post(f"/contacts/{jack.pk}/delete/", follow=True)
    assert "is in the trash for 30 days" in _messages(response)
    assert alice.get(f"/contacts/{jack.pk}/edit/").status_code == 404
    assert alice.get(f"/contacts/{jack.pk}/log/").status_code == 404
    detail = _text(alice.get(f"/contacts/{jack.pk}/"))
    assert "Restore from the trash" in detail
    assert "Log a contact" not in detail

    alice.post(f"/contacts/{jack.pk}/restore/")

    jack.refresh_from_db()
    assert not jack.in_trash
    assert jack.phones.count() == 1
    assert _keys(jack) == {"christmas"}


def test_it_marks_a_person_deceased_from_the_page(
    alice: Client, world: World, make_person: MakePerson
) -> None:
    sandy = make_person(first="Sandy", last="Smith", salutation="Jack & Sandy Smith")
    jack = make_person(first="Jack", last="Smith", spouse=sandy, phones=["9705550123"])
    page = _text(alice.get(f"/contacts/{jack.pk}/deceased/"))
    assert "makes Sandy Smith the household" in page

    response = alice.post(
        f"/contacts/{jack.pk}/deceased/",
        {"deceased_on": timezone.localdate().isoformat(), "follow_up_days": "30"},
        follow=True,
    )

    assert "Task added: Reach Sandy Smith" in _messages(response)
    jack.refresh_from_db()
    sandy.refresh_from_db()
    assert jack.is_deceased
    assert not jack.phones.exists()
    assert sandy.salutation == "Sandy Smith"
    assert "Deceased" in _text(response)


def test_it_asks_for_the_date_of_death(alice: Client, make_person: MakePerson) -> None:
    jack = make_person(first="Jack")

    response = alice.post(f"/contacts/{jack.pk}/deceased/", {"follow_up_days": "60"})

    assert response.status_code == 200
    assert "This field is required." in _text(response)
    jack.refresh_from_db()
    assert not jack.is_deceased


# ---- another account's ids -------------------------------------------------------------


def test_it_answers_404_for_another_accounts_person(alice: Client, world: World) -> None:
    theirs = _theirs(world)
    phone = theirs.phones.get()
    pk = theirs.pk

    for url in (
        f"/contacts/{pk}/",
        f"/contacts/{pk}/edit/",
        f"/contacts/{pk}/log/",
        f"/contacts/{pk}/deceased/",
    ):
        assert alice.get(url).status_code == 404, url
        assert alice.get(url, headers=HX).status_code == 404, url
    for url, data in (
        (f"/contacts/{pk}/edit/", editor_post(first_name="Hacked")),
        (f"/contacts/{pk}/log/", {"kind": "met"}),
        (f"/contacts/{pk}/notes/", {"body": "hi"}),
        (f"/contacts/{pk}/delete/", {}),
        (f"/contacts/{pk}/restore/", {}),
        (f"/contacts/{pk}/deceased/", {"deceased_on": "2024-01-01", "follow_up_days": "5"}),
        (f"/contacts/{pk}/phones/{phone.pk}/status/", {"status": "dnc"}),
    ):
        assert alice.post(url, data).status_code == 404, url

    theirs.refresh_from_db()
    assert theirs.first_name == "bravofirst"
    assert not theirs.in_trash and not theirs.is_deceased
    assert theirs.phones.get().status == PhoneStatus.OK
    assert Note.objects.filter(contact=theirs).count() == 1
