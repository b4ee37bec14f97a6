"""Writes to people: create and edit, log a contact, phone statuses, trash, deceased,
and the one function that says whether a person may be reached."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts.forms import ContactEditor
from contacts.models import (
    Address,
    Contact,
    ContactCategory,
    Email,
    EmailStatus,
    Note,
    NoteKind,
    Phone,
    PhoneStatus,
)
from contacts.reachability import Channel, reach, reachable
from contacts.selectors import contact_detail
from contacts.services import (
    AddressInput,
    ContactData,
    PhoneInput,
    contact_create,
    contact_log,
    contact_mark_deceased,
    contact_update,
    contacts_restore,
    contacts_trash,
    phone_set_status,
    trash_purge,
)
from crm.models import Task
from tests.contacts.conftest import MakePerson
from tests.contacts.people import category, editor_post
from tests.world import World

HOME = AddressInput(street="12 Elm St", city="Fort Collins", state="CO", postal_code="80521")


def _tasks_about(contact: Contact) -> list[Task]:
    return list(
        Task.objects.filter(
            related_type=ContentType.objects.get_for_model(Contact), related_id=str(contact.pk)
        )
    )


def _system_notes(contact: Contact) -> list[str]:
    return [n.body for n in Note.objects.filter(contact=contact, kind=NoteKind.SYSTEM)]


def _category_keys(contact: Contact) -> set[str]:
    return set(
        ContactCategory.objects.filter(contact=contact).values_list("category__key", flat=True)
    )


# ---- create and edit -------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["(970) 555-0123", "970.555.0123", "970 555 0123", "1-970-555-0123", "+1 970 555 0123"],
)
def test_it_parses_a_phone_in_any_format_with_the_us_default_region(
    world: World, typed: str
) -> None:
    contact, warnings = contact_create(
        account=world.a,
        actor=world.alice,
        data=ContactData(fields={"first_name": "Jack"}, phones=[PhoneInput(raw=typed)]),
    )

    phone = contact.phones.get()
    assert warnings == []
    assert phone.raw == typed
    assert phone.e164 == "+19705550123"
    assert phone.display == "(970) 555-0123"
    assert "9705550123" in Contact.objects.get(pk=contact.pk).search_text


def test_it_keeps_a_foreign_number_in_international_form(world: World) -> None:
    contact, warnings = contact_create(
        account=world.a,
        actor=world.alice,
        data=ContactData(fields={"first_name": "Nigel"}, phones=[PhoneInput("+44 20 7946 0958")]),
    )

    assert warnings == []
    assert contact.phones.get().e164 == "+442079460958"
    assert contact.phones.get().display == "+44 20 7946 0958"


def test_it_keeps_an_extension(world: World) -> None:
    contact, _ = contact_create(
        account=world.a,
        actor=world.alice,
        data=ContactData(fields={"first_name": "Office"}, phones=[PhoneInput("970-555-0123 x12")]),
    )

    assert contact.phones.get().e164 == "+19705550123;ext=12"
    assert contact.phones.get().display == "(970) 555-0123 ext. 12"


@pytest.mark.parametrize("typed", ["call the office", "12", "555-0123"])
def test_it_keeps_an_unparseable_phone_as_typed_with_a_warning(world: World, typed: str) -> None:
    contact, warnings = contact_create(
        account=world.a,
        actor=world.alice,
        data=ContactData(fields={"first_name": "Jack"}, phones=[PhoneInput(raw=typed)]),
    )

    phone = contact.phones.get()
    assert phone.raw == typed
    assert phone.e164 == ""
    assert not phone.is_parsed
    assert phone.display == typed
    assert len(warnings) == 1
    assert typed in warnings[0]


def test_it_never_drops_a_phone_when_saving_through_the_editor(world: World) -> None:
    editor = ContactEditor(
        editor_post(first_name="Jack", phones=["(970) 555-0123", "ask at the desk"]),
        account_id=world.a.pk,
    )
    assert editor.is_valid()

    contact, warnings = contact_create(account=world.a, actor=world.alice, data=editor.data())

    assert [p.raw for p in contact.phones.all()] == ["(970) 555-0123", "ask at the desk"]
    assert [p.e164 for p in contact.phones.all()] == ["+19705550123", ""]
    assert len(warnings) == 1


def test_it_validates_emails_through_the_form(world: World) -> None:
    editor = ContactEditor(
        editor_post(first_name="Jack", emails=["jack at example dot com"]), account_id=world.a.pk
    )

    assert not editor.is_valid()
    assert editor.emails.forms[0].errors["address"]


def test_it_stores_emails_in_lower_case(world: World) -> None:
    editor = ContactEditor(
        editor_post(first_name="Jack", emails=["Jack.Smith@Example.COM"]), account_id=world.a.pk
    )
    assert editor.is_valid()

    contact, _ = contact_create(account=world.a, actor=world.alice, data=editor.data())

    assert [e.address for e in contact.emails.all()] == ["jack.smith@example.com"]


def test_it_allows_a_name_only_record(world: World) -> None:
    editor = ContactEditor(editor_post(last_name="Smith"), account_id=world.a.pk)
    assert editor.is_valid(), editor.form.errors

    contact, warnings = contact_create(account=world.a, actor=world.alice, data=editor.data())

    assert warnings == []
    assert str(contact) == "Smith"
    assert not contact.phones.exists()
    assert not contact.emails.exists()
    assert not contact.addresses.exists()


def test_it_refuses_a_record_without_any_name(world: World) -> None:
    with pytest.raises(ValidationError):
        contact_create(
            account=world.a, actor=world.alice, data=ContactData(phones=[PhoneInput("9705550123")])
        )


def test_it_refuses_a_spouse_from_another_account(world: World) -> None:
    outsider = Contact.objects.filter(account=world.b).first()

    with pytest.raises(ValidationError):
        contact_create(
            account=world.a,
            actor=world.alice,
            data=ContactData(fields={"first_name": "Jack", "spouse": outsider}),
        )


def test_it_keeps_a_phone_row_and_its_status_when_retyped_in_another_format(
    world: World, make_person: MakePerson
) -> None:
    jack = make_person(first="Jack", phones=["9705550123"])
    phone = jack.phones.get()
    phone_set_status(phone=phone, status=PhoneStatus.BAD, actor=world.alice)

    contact_update(
        contact=jack,
        actor=world.alice,
        data=ContactData(
            fields={"first_name": "Jack"}, phones=[PhoneInput("(970) 555-0123"), PhoneInput("")]
        ),
    )

    kept = jack.phones.get()
    assert kept.pk == phone.pk
    assert kept.status == PhoneStatus.BAD
    assert kept.raw == "(970) 555-0123"


def test_it_replaces_children_with_what_the_editor_lists(make_person: MakePerson) -> None:
    jack = make_person(
        first="Jack",
        phones=["9705550100", "9705550101"],
        emails=["a@example.com"],
        addresses=[HOME],
    )

    contact_update(
        contact=jack,
        actor=None,
        data=ContactData(
            fields={"first_name": "Jack", "last_name": "Smith"}, phones=[PhoneInput("9705550101")]
        ),
    )

    jack.refresh_from_db()
    assert jack.last_name == "Smith"
    assert [p.e164 for p in jack.phones.all()] == ["+19705550101"]
    assert not jack.emails.exists()
    assert not jack.addresses.exists()
    assert "smith" in jack.search_text
    assert "a@example.com" not in jack.search_text


# ---- log a contact ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["call_connected", "text", "email", "met"])
def test_it_counts_a_meaningful_contact(world: World, make_person: MakePerson, kind: str) -> None:
    jack = make_person(first="Jack")

    note = contact_log(contact=jack, actor=world.alice, kind=kind, body="Talked about the roof")

    jack.refresh_from_db()
    assert jack.last_contacted_at == note.created_at
    assert note.author == world.alice
    assert note.body == "Talked about the roof"
    assert note.kind == kind


@pytest.mark.parametrize("kind", ["no_answer", "left_message"])
def test_it_does_not_count_a_call_that_did_not_connect(
    world: World, make_person: MakePerson, kind: str
) -> None:
    jack = make_person(first="Jack")

    contact_log(contact=jack, actor=world.alice, kind=kind)

    jack.refresh_from_db()
    assert jack.last_contacted_at is None
    assert Note.objects.filter(contact=jack, kind=kind).count() == 1


@pytest.mark.parametrize("kind", ["system", "telepathy", ""])
def test_it_refuses_a_kind_that_is_not_a_contact(
    world: World, make_person: MakePerson, kind: str
) -> None:
    jack = make_person(first="Jack")

    with pytest.raises(ValidationError):
        contact_log(contact=jack, actor=world.alice, kind=kind)
    assert not Note.objects.filter(contact=jack).exists()


def test_it_makes_a_follow_up_task_about_the_person(world: World, make_person: MakePerson) -> None:
    jack = make_person(first="Jack", last="Smith")
    due = timezone.localdate() + timedelta(days=14)

    contact_log(
        contact=jack, actor=world.alice, kind="left_message", body="Call back", follow_up_on=due
    )

    (task,) = _tasks_about(jack)
    assert task.account_id == world.a.pk
    assert task.related == jack
    assert task.due_on == due
    assert task.title == "Follow up with Jack Smith"
    assert task.assigned_to == world.alice
    assert task.notes == "Call back"


def test_it_makes_no_task_without_a_follow_up_date(world: World, make_person: MakePerson) -> None:
    jack = make_person(first="Jack")

    contact_log(contact=jack, actor=world.alice, kind="call_connected")

    assert _tasks_about(jack) == []


def test_it_marks_a_phone_bad_from_the_log(world: World, make_person: MakePerson) -> None:
    jack = make_person(first="Jack", phones=["9705550123"])
    phone = jack.phones.get()

    contact_log(contact=jack, actor=world.alice, kind="no_answer", phone=phone, phone_status="bad")

    phone.refresh_from_db()
    assert phone.status == PhoneStatus.BAD
    assert any(body.startswith("(BAD)") for body in _system_notes(jack))


def test_it_refuses_to_mark_another_persons_phone_from_the_log(
    world: World, make_person: MakePerson
) -> None:
    jack = make_person(first="Jack")
    sandy = make_person(first="Sandy", phones=["9705550123"])

    with pytest.raises(ValidationError):
        contact_log(
            contact=jack,
            actor=world.alice,
            kind="no_answer",
            phone=sandy.phones.get(),
            phone_status="dnc",
        )
    assert sandy.phones.get().status == PhoneStatus.OK


# ---- phone statuses --------------------------------------------------------------------


def test_it_marks_a_phone_bad_with_a_dated_note(world: World, make_person: MakePerson) -> None:
    jack = make_person(first="Jack", phones=["9705550123"])
    phone = jack.phones.get()

    phone_set_status(phone=phone, status=PhoneStatus.BAD, actor=world.alice)

    phone.refresh_from_db()
    assert phone.status == PhoneStatus.BAD
    assert phone.status_changed_by == world.alice
    assert phone.status_changed_at is not None
    (note,) = _system_notes(jack)
    assert note.startswith("(BAD) (970) 555-0123")
    assert timezone.localdate().isoformat() in note
    assert "cold" not in _category_keys(jack)


def test_it_marks_a_phone_dnc_with_a_dated_note_and_adds_cold(
    world: World, make_person: MakePerson
) -> None:
    jack = make_person(first="Jack", phones=["9705550123"], categories=["christmas"])
    phone = jack.phones.get()

    phone_set_status(phone=phone, status=PhoneStatus.DNC, actor=world.alice)

    assert Phone.objects.get(pk=phone.pk).status == PhoneStatus.DNC
    (note,) = _system_notes(jack)
    assert note.startswith("(DNC) (970) 555-0123")
    assert timezone.localdate().isoformat() in note
    assert _category_keys(jack) == {"christmas", "cold"}


def test_it_writes_nothing_when_the_status_does_not_change(
    world: World, make_person: MakePerson
) -> None:
    jack = make_person(first="Jack", phones=["9705550123"])
    phone = jack.phones.get()
    phone_set_status(phone=phone, status=PhoneStatus.DNC, actor=world.alice)

    phone_set_status(phone=phone, status=PhoneStatus.DNC, actor=world.alice)

    assert len(_system_notes(jack)) == 1


def test_it_refuses_an_unknown_phone_status(world: World, make_person: MakePerson) -> None:
    jack = make_person(first="Jack", phones=["9705550123"])

    with pytest.raises(ValidationError):
        phone_set_status(phone=jack.phones.get(), status="maybe", actor=world.alice)


# ---- trash -----------------------------------------------------------------------------


def test_it_trashes_and_restores_with_phones_notes_and_categories(
    world: World, make_person: MakePerson
) -> None:
    jack = make_person(
        first="Jack",
        phones=["9705550123"],
        emails=["jack@example.com"],
        addresses=[HOME],
        categories=["christmas", "top100"],
    )
    contact_log(contact=jack, actor=world.alice, kind="met", body="Coffee")
    people = Contact.objects.filter(pk=jack.pk)

    assert contacts_trash(contacts=people, actor=world.alice) == 1
    jack.refresh_from_db()
    assert jack.in_trash
    assert jack.deleted_by == world.alice
    assert not Contact.objects.for_account(world.a).alive().filter(pk=jack.pk).exists()
    assert Phone.objects.filter(contact=jack).count() == 1

    assert contacts_restore(contacts=people, actor=world.alice) == 1
    jack.refresh_from_db()
    assert not jack.in_trash
    assert jack.deleted_by is None
    assert [p.e164 for p in jack.phones.all()] == ["+19705550123"]
    assert [e.address for e in jack.emails.all()] == ["jack@example.com"]
    assert jack.addresses.count() == 1
    assert [n.body for n in jack.notes.all()] == ["Coffee"]
    assert _category_keys(jack) == {"christmas", "top100"}


def test_it_does_not_trash_twice(world: World, make_person: MakePerson) -> None:
    jack = make_person(first="Jack")
    people = Contact.objects.filter(pk=jack.pk)
    contacts_trash(contacts=people, actor=world.alice)

    assert contacts_trash(contacts=people, actor=world.alice) == 0


def _trashed_days_ago(contact: Contact, days: float) -> None:
    Contact.objects.filter(pk=contact.pk).update(deleted_at=timezone.now() - timedelta(days=days))


def test_it_purges_only_after_thirty_days(world: World, make_person: MakePerson) -> None:
    recent = make_person(first="Recent", phones=["9705550100"])
    old = make_person(first="Old", phones=["9705550101"], categories=["cold"])
    alive = make_person(first="Alive")
    _trashed_days_ago(recent, 29)
    _trashed_days_ago(old, 31)

    assert trash_purge(account_id=world.a.pk) == 1

    assert set(Contact.objects.for_account(world.a).values_list("pk", flat=True)) >= {
        recent.pk,
        alive.pk,
    }
    assert not Contact.objects.filter(pk=old.pk).exists()
    assert not Phone.objects.filter(contact_id=old.pk).exists()
    assert not ContactCategory.objects.filter(contact_id=old.pk).exists()
    assert Phone.objects.filter(contact=recent).exists()


def test_it_unlinks_the_spouse_and_referrals_of_a_purged_person(
    world: World, make_person: MakePerson
) -> None:
    old = make_person(first="Old")
    sandy = make_person(first="Sandy", spouse=old, referred_by=old)
    _trashed_days_ago(old, 40)

    trash_purge(account_id=world.a.pk)

    sandy.refresh_from_db()
    assert sandy.spouse is None
    assert sandy.referred_by is None


def test_it_purges_only_its_own_account(world: World, make_person: MakePerson) -> None:
    theirs = make_person(first="Theirs", account=world.b)
    _trashed_days_ago(theirs, 90)

    assert trash_purge(account_id=world.a.pk) == 0
    assert Contact.objects.filter(pk=theirs.pk).exists()


# ---- deceased --------------------------------------------------------------------------


def _smiths(make_person: MakePerson, *, sandy_address: bool = False) -> tuple[Contact, Contact]:
    sandy = make_person(
        first="Sandy",
        last="Smith",
        salutation="Jack & Sandy Smith",
        phones=["970 555 0199"],
        addresses=[AddressInput(street="9 Oak Ave", city="Loveland", state="CO")]
        if sandy_address
        else [],
    )
    jack = make_person(
        first="Jack",
        last="Smith",
        salutation="Jack & Sandy Smith",
        spouse=sandy,
        phones=[PhoneInput("970-555-0123", label="mobile"), PhoneInput("970 555 0124", "work")],
        emails=["jack@example.com"],
        addresses=[HOME],
        birthday=date(1950, 3, 14),
        home_anniversary=date(1990, 6, 1),
        categories=["christmas"],
    )
    Contact.objects.filter(pk=sandy.pk).update(spouse=jack)
    sandy.refresh_from_db()
    return jack, sandy


def test_it_marks_a_person_deceased_end_to_end(world: World, make_person: MakePerson) -> None:
    jack, sandy = _smiths(make_person)
    died = timezone.localdate() - timedelta(days=3)

    task = contact_mark_deceased(
        contact=jack, actor=world.alice, deceased_on=died, follow_up_days=45
    )

    jack.refresh_from_db()
    assert jack.is_deceased
    assert jack.deceased_on == died
    assert jack.stop_automations
    assert not jack.phones.exists()
    assert not jack.emails.exists()
    assert jack.birthday is None and jack.birthday_md is None
    assert jack.home_anniversary is None and jack.anniversary_md is None
    assert "9705550123" not in jack.search_text
    assert "jack@example.com" not in jack.search_text
    (note,) = _system_notes(jack)
    assert f"Deceased {died:%B %-d, %Y}." in note
    assert "(970) 555-0123 (Mobile)" in note
    assert "(970) 555-0124 (Work)" in note
    assert "jack@example.com" in note
    assert "March 14" in note
    # His own address and categories stay: the household still gets mail, at the survivor.
    assert jack.addresses.count() == 1

    sandy.refresh_from_db()
    assert sandy.salutation == "Sandy Smith"
    assert sandy.spouse is None
    assert sandy.phones.count() == 1
    (mailing,) = sandy.addresses.all()
    assert (mailing.street, mailing.city, mailing.is_mailing) == ("12 Elm St", "Fort Collins", True)
    assert mailing.account_id == world.a.pk
    assert "12 elm st" in sandy.search_text
    assert any("Jack Smith died" in body for body in _system_notes(sandy))

    assert task.due_on == timezone.localdate() + timedelta(days=45)
    assert task.related == sandy
    assert "Sandy Smith" in task.title
    assert task.account_id == world.a.pk
    assert task.assigned_to == world.alice

    for channel in Channel.values:
        assert reach(contact_detail(account=world.a, pk=jack.pk), channel).reason == "Deceased"  # type: ignore[arg-type]


def test_it_leaves_a_survivors_own_address_alone(world: World, make_person: MakePerson) -> None:
    jack, sandy = _smiths(make_person, sandy_address=True)

    contact_mark_deceased(contact=jack, actor=world.alice)

    assert [a.street for a in sandy.addresses.all()] == ["9 Oak Ave"]


def test_it_finds_the_survivor_who_points_at_the_deceased(
    world: World, make_person: MakePerson
) -> None:
    jack, sandy = _smiths(make_person)
    Contact.objects.filter(pk=jack.pk).update(spouse=None)
    jack.refresh_from_db()

    task = contact_mark_deceased(contact=jack, actor=world.alice)

    sandy.refresh_from_db()
    assert sandy.salutation == "Sandy Smith"
    assert task.related == sandy
    assert task.due_on == timezone.localdate() + timedelta(days=60)


def test_it_asks_for_the_family_or_executor_without_a_spouse(
    world: World, make_person: MakePerson
) -> None:
    widow = make_person(first="Mary", last="Jones", phones=["9705550123"])

    task = contact_mark_deceased(contact=widow, actor=world.alice, follow_up_days=30)

    assert task.related == widow
    assert task.title == "Reach the family or executor of Mary Jones"
    assert task.due_on == timezone.localdate() + timedelta(days=30)


def test_it_refuses_to_mark_someone_deceased_twice(world: World, make_person: MakePerson) -> None:
    widow = make_person(first="Mary")
    contact_mark_deceased(contact=widow, actor=world.alice)

    with pytest.raises(ValidationError):
        contact_mark_deceased(contact=widow, actor=world.alice)
    assert Task.objects.filter(related_id=str(widow.pk)).count() == 1


# ---- reachability ----------------------------------------------------------------------

OPEN = ""
SCENARIOS: dict[str, dict[str, str]] = {
    # scenario: {channel or "auto:<channel>": expected reason, "" when open}
    "everything": {"call": OPEN, "text": OPEN, "email": OPEN, "letter": OPEN, "auto:email": OPEN},
    "name only": {
        "call": "No phone number",
        "text": "No phone number",
        "email": "No email address",
        "letter": "No mailing address",
    },
    "deceased": {"call": "Deceased", "email": "Deceased", "letter": "Deceased"},
    "trash": {"call": "In the trash", "email": "In the trash", "letter": "In the trash"},
    "dnc": {
        "call": "Asked not to be called (DNC)",
        "text": "Asked not to be called (DNC)",
        "email": OPEN,
        "auto:email": "In Cold: no automations",
    },
    "bad": {"call": "Every phone is BAD", "text": "Every phone is BAD", "email": OPEN},
    "one bad one ok": {"call": OPEN, "text": OPEN},
    "opted out": {"email": "Email opted out", "call": OPEN, "auto:email": "Email opted out"},
    "hard bounce": {"email": "Email hard bounce"},
    "cold": {"call": OPEN, "email": OPEN, "auto:email": "In Cold: no automations"},
    "nolead": {"letter": OPEN, "auto:letter": "In NoLead: no automations"},
    "stopped": {"email": OPEN, "auto:text": "All automations stopped"},
    "returned": {"letter": "Mail came back (returned)", "email": OPEN},
    "not mailing": {"letter": "No mailing address"},
    "incomplete": {"letter": "Mailing address incomplete"},
}


def _scenario(world: World, make_person: MakePerson, name: str) -> Contact:
    full = {
        "phones": ["9705550123"],
        "emails": ["pat@example.com"],
        "addresses": [HOME],
    }
    if name == "name only":
        return make_person(first="Nobody")
    if name == "incomplete":
        return make_person(first="Inc", addresses=[AddressInput(street="1 Main", city="Ault")])
    if name == "not mailing":
        return make_person(first="Work", addresses=[replace(HOME, is_mailing=False)])
    person = make_person(first=name, **full)
    phone = person.phones.get()
    if name == "deceased":
        contact_mark_deceased(contact=person, actor=world.alice)
    elif name == "trash":
        contacts_trash(contacts=Contact.objects.filter(pk=person.pk), actor=world.alice)
    elif name in ("dnc", "bad"):
        phone_set_status(phone=phone, status=name, actor=world.alice)
    elif name == "one bad one ok":
        phone_set_status(phone=phone, status="bad", actor=world.alice)
        Phone.objects.create(account=world.a, contact=person, raw="9705550177", e164="+19705550177")
    elif name in ("opted out", "hard bounce"):
        status = EmailStatus.OPTED_OUT if name == "opted out" else EmailStatus.HARD_BOUNCE
        Email.objects.filter(contact=person).update(status=status)
    elif name in ("cold", "nolead"):
        ContactCategory.objects.create(
            account=world.a, contact=person, category=category(world.a, name)
        )
    elif name == "stopped":
        Contact.objects.filter(pk=person.pk).update(stop_automations=True)
    elif name == "returned":
        Address.objects.filter(contact=person).update(status="returned")
    return person


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_it_says_why_a_channel_is_blocked(world: World, make_person: MakePerson, name: str) -> None:
    person = _scenario(world, make_person, name)
    fresh = contact_detail(account=world.a, pk=person.pk)
    assert fresh is not None

    for key, reason in SCENARIOS[name].items():
        automated = key.startswith("auto:")
        channel = key.removeprefix("auto:")
        result = reach(fresh, channel, automated=automated)
        assert result.reason == reason, key
        assert bool(result) is (reason == OPEN), key


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_it_agrees_with_itself_in_sql(world: World, make_person: MakePerson, name: str) -> None:
    person = _scenario(world, make_person, name)
    fresh = contact_detail(account=world.a, pk=person.pk)
    assert fresh is not None

    for channel in Channel.values:
        for automated in (False, True):
            one = bool(reach(fresh, channel, automated=automated))
            many = reachable(
                Contact.objects.filter(pk=person.pk), channel, automated=automated
            ).exists()
            assert one is many, (channel, automated)


def test_it_names_the_phone_to_use(world: World, make_person: MakePerson) -> None:
    person = make_person(
        first="Two",
        phones=[PhoneInput("970 555 0100", label="home"), PhoneInput("970 555 0101")],
    )
    fresh = contact_detail(account=world.a, pk=person.pk)
    assert fresh is not None

    assert reach(fresh, Channel.CALL).target.e164 == "+19705550100"
    assert reach(fresh, Channel.TEXT).target.e164 == "+19705550101"  # the mobile


def test_it_refuses_an_unknown_channel(make_person: MakePerson) -> None:
    person = make_person(first="Pigeon")

    with pytest.raises(ValueError):
        reach(person, "pigeon")
    with pytest.raises(ValueError):
        reachable(Contact.objects.filter(pk=person.pk), "pigeon")


def test_it_parses_phones_with_the_accounts_own_region(
    world: World, make_person: MakePerson
) -> None:
    world.a.default_region = "GB"
    world.a.save()
    person = make_person(first="Olivia", last="Clarke", phones=["020 7946 0018"])
    assert person.phones.get().e164 == "+442079460018"
