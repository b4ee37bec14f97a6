"""vCard files: what phones accept going out, and what phones and Google send coming in."""

from __future__ import annotations

from datetime import date

import pytest

from contacts import vcard
from contacts.models import Contact
from contacts.selectors import with_row_data
from contacts.services import contact_create
from tests.contacts.vcard_samples import (
    ANDROID_21,
    GOOGLE,
    IPHONE,
    VCARD_40,
    category_ids_by_name,
    make_varied_people,
    snapshot,
)
from tests.world import World


def _one(text: str) -> vcard.ParsedCard:
    cards = vcard.parse(text)
    assert len(cards) == 1, cards
    assert cards[0].ok, cards[0].problem
    return cards[0]


def _phones(card: vcard.Card) -> list[tuple[str, str]]:
    return [(p.number, p.label) for p in card.phones]


class TestReadingPhoneFiles:
    def test_it_reads_an_iphone_card(self) -> None:
        card = _one(IPHONE)

        assert (card.first_name, card.last_name) == ("Johnny Q.", "Appleseed Jr.")
        assert (card.company, card.title) == ("Appleseed Orchards", "Arborist")
        assert _phones(card) == [
            ("(970) 555-0123", "mobile"),
            ("970.555.0199", "home"),
            ("+1 303 555 0100", "mobile"),  # labelled through its item group
            ("303-555-0101", "other"),  # a custom label
        ]
        assert [(e.address, e.label) for e in card.emails] == [
            ("johnny@example.com", "personal"),
            ("j.appleseed@orchard.example", "work"),
        ]
        [address] = card.addresses
        assert address == vcard.CardAddress(
            street="1 Orchard Lane",
            unit="Unit 5",
            city="Fort Collins",
            state="CO",
            postal_code="80521",
            country="United States",  # unfolded across two lines
            label="home",
            is_mailing=True,
        )
        assert card.birthday == date(vcard.NO_YEAR, 3, 4)
        assert card.categories == ["Top100", "Christmas"]
        assert card.note == "Met at the open house, 12 Elm St.\nLikes blue."

    def test_it_reads_an_android_21_card_in_quoted_printable(self) -> None:
        card = _one(ANDROID_21)

        assert (card.first_name, card.last_name) == ("Jörg", "Müller")
        assert _phones(card) == [
            ("+49 170 1234567", "mobile"),
            ("970-555-0142", "home"),
            ("(970) 555-0143", "work"),
        ]
        assert [(e.address, e.label) for e in card.emails] == [("joerg@example.de", "personal")]
        assert card.addresses[0].street == "Hauptstraße 5"
        assert card.addresses[0].country == "Deutschland"  # across a soft line break
        assert card.note == "Sucht eine Wohnung für die Familie, ab März."
        assert card.birthday == date(1980, 3, 4)
        assert card.categories == ["Buyers", "Relocation"]

    def test_it_reads_google_cards_with_item_groups(self) -> None:
        sandy, acme = vcard.parse(GOOGLE)

        assert (sandy.first_name, sandy.last_name) == ("Sandy", "Smith")
        assert _phones(sandy) == [("(970) 555-0111", "mobile"), ("(970) 555-0112", "work")]
        home, cabin = sandy.addresses
        assert (home.label, home.is_mailing) == ("home", True)  # none preferred: the first
        assert (cabin.street, cabin.label, cabin.is_mailing) == ("PO Box 7", "other", False)
        assert sandy.birthday == date(1975, 11, 30)
        assert sandy.categories == ["myContacts", "Christmas"]
        assert (acme.first_name, acme.last_name, acme.company) == ("", "", "Acme Plumbing")
        assert acme.ok
        assert _phones(acme) == [("970-555-0155", "work")]

    def test_it_reads_a_40_card(self) -> None:
        card = _one(VCARD_40)

        assert (card.first_name, card.last_name) == ("Pat", "Doe")  # from FN alone
        assert _phones(card) == [("+1-970-555-0177 ext. 12", "mobile"), ("+19705550178", "home")]
        assert [(e.address, e.label) for e in card.emails] == [("pat@example.org", "work")]
        assert card.birthday == date(vcard.NO_YEAR, 2, 29)
        assert (card.addresses[0].street, card.addresses[0].label) == ("1 Main St", "work")

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("1980-03-04", date(1980, 3, 4)),
            ("19800304", date(1980, 3, 4)),
            ("--0304", date(vcard.NO_YEAR, 3, 4)),
            ("--03-04", date(vcard.NO_YEAR, 3, 4)),
            ("1980-03-04T00:00:00Z", date(1980, 3, 4)),
        ],
    )
    def test_it_reads_birthdays_in_every_form(self, value: str, expected: date) -> None:
        card = _one(f"BEGIN:VCARD\nVERSION:3.0\nFN:A B\nBDAY:{value}\nEND:VCARD\n")
        assert card.birthday == expected

    def test_it_splits_a_formatted_name_written_last_name_first(self) -> None:
        card = _one("BEGIN:VCARD\nVERSION:3.0\nFN:Smith\\, Jack\nEND:VCARD\n")
        assert (card.first_name, card.last_name) == ("Jack", "Smith")

    def test_it_keeps_a_card_with_an_unreadable_birthday_and_says_so(self) -> None:
        card = _one("BEGIN:VCARD\nVERSION:3.0\nFN:A B\nBDAY:sometime\nEND:VCARD\n")
        assert card.birthday is None
        assert card.warnings == ["Birthday “sometime” not understood; left out."]


class TestBadCards:
    def test_it_reports_bad_cards_with_their_position_and_keeps_the_good_ones(self) -> None:
        text = (
            "BEGIN:VCARD\nVERSION:3.0\nFN:Good One\nEND:VCARD\n"
            "BEGIN:VCARD\nVERSION:3.0\nTEL:970 555 0100\nEND:VCARD\n"  # no name
            "BEGIN:VCARD\nVERSION:3.0\nFN:Never Closed\n"  # no END before the next
            "BEGIN:VCARD\nVERSION:3.0\nFN:Good Two\nEND:VCARD\n"
            "BEGIN:VCARD\nVERSION:3.0\nFN:Cut Off\n"  # the file stops
        )
        cards = vcard.parse(text)

        assert [(c.position, c.line, c.ok) for c in cards] == [
            (1, 1, True),
            (2, 5, False),
            (3, 9, False),
            (4, 12, True),
            (5, 16, False),
        ]
        assert cards[1].problem == "No name or company on the card."
        assert "END:VCARD" in cards[2].problem
        assert "file stops" in cards[4].problem
        assert [c.display_name for c in cards if c.ok] == ["Good One", "Good Two"]

    def test_it_finds_no_cards_in_a_file_that_is_not_a_vcard(self) -> None:
        assert vcard.parse("name,phone\nJack,555\n") == []
        assert not vcard.looks_like_vcard(b"name,phone\nJack,555\n")
        assert vcard.looks_like_vcard("\ufeff\r\nBEGIN:VCARD\r\n".encode())

    def test_it_leaves_out_an_email_that_is_not_one_and_says_so(self) -> None:
        card = _one("BEGIN:VCARD\nVERSION:3.0\nFN:A B\nEMAIL:not-an-email\nEND:VCARD\n")
        data = card.to_contact_data()
        assert data.emails == []
        assert card.warnings == ["Left out “not-an-email”: not an email address."]


class TestWriting:
    def test_it_writes_vcard_30_that_phones_accept(self) -> None:
        card = vcard.Card(
            first_name="Jack",
            last_name="Smith",
            company="Smith & Sons; Builders",
            title="Electrician",
            birthday=date(1970, 5, 6),
            phones=[
                vcard.CardPhone("+19705550123", "mobile"),
                vcard.CardPhone("+19705550124", "home"),
                vcard.CardPhone("+19705550125", "work"),
                vcard.CardPhone("+19705550126", "other"),
            ],
            emails=[
                vcard.CardEmail("jack@example.com", "personal"),
                vcard.CardEmail("jack@smith.example", "work"),
            ],
            addresses=[
                vcard.CardAddress("1 Main St", "Apt 4", "Fort Collins", "CO", "80521", "US"),
                vcard.CardAddress(
                    "9 Shop Rd", "", "Loveland", "CO", "80537", "US", "work", is_mailing=False
                ),
            ],
            categories=["Top100", "Buyers, 2025"],
            note="Two dogs.\nCall after 5",
        )
        text = vcard.serialize_cards([card])

        assert text.endswith("\r\n")
        assert "\n" not in text.replace("\r\n", "")
        assert text.split("\r\n")[:-1] == [
            "BEGIN:VCARD",
            "VERSION:3.0",
            f"PRODID:{vcard.PRODID}",
            "N:Smith;Jack;;;",
            "FN:Jack Smith",
            "ORG:Smith & Sons\\; Builders",
            "TITLE:Electrician",
            "TEL;TYPE=CELL:+19705550123",
            "TEL;TYPE=HOME:+19705550124",
            "TEL;TYPE=WORK:+19705550125",
            "TEL;TYPE=VOICE:+19705550126",
            "EMAIL;TYPE=INTERNET,HOME:jack@example.com",
            "EMAIL;TYPE=INTERNET,WORK:jack@smith.example",
            "ADR;TYPE=HOME,PREF:;;1 Main St\\nApt 4;Fort Collins;CO;80521;US",
            "ADR;TYPE=WORK:;;9 Shop Rd;Loveland;CO;80537;US",
            "BDAY:1970-05-06",
            "NOTE:Two dogs.\\nCall after 5",
            "CATEGORIES:Top100,Buyers\\, 2025",
            "END:VCARD",
        ]

    def test_it_escapes_backslashes_commas_semicolons_and_newlines(self) -> None:
        assert vcard.escape("a\\b,c;d\r\ne\nf") == "a\\\\b\\,c\\;d\\ne\\nf"
        assert vcard.unescape(vcard.escape("a\\b,c;d\ne")) == "a\\b,c;d\ne"

    def test_it_folds_long_lines_at_75_octets_without_splitting_a_character(self) -> None:
        note = "Zoë visits the château with Ærøskøbing friends. " * 8
        text = vcard.serialize_cards([vcard.Card(first_name="Zoë", note=note)])
        physical = text.split("\r\n")

        assert all(len(line.encode("utf-8")) <= 75 for line in physical)
        assert sum(line.startswith(" ") for line in physical) == 5
        assert _one(text).note == note.strip()

    def test_it_moves_a_character_that_would_straddle_the_fold_to_the_next_line(self) -> None:
        line = "NOTE:" + "a" * 69 + "é" + "b" * 10  # "é" would take octets 75 and 76
        first, second = vcard.fold(line).split("\r\n")
        assert (len(first.encode()), first[-1]) == (74, "a")
        assert second == " é" + "b" * 10

    def test_it_writes_a_company_card_that_an_iphone_files_by_company(self) -> None:
        lines = vcard.card_lines(vcard.Card(company="Acme Plumbing"))
        assert "N:;;;;" in lines
        assert "FN:Acme Plumbing" in lines
        assert "X-ABShowAs:COMPANY" in lines

    def test_it_writes_a_birthday_without_a_year_the_way_an_iphone_does(self) -> None:
        lines = vcard.card_lines(vcard.Card(first_name="A", birthday=date(vcard.NO_YEAR, 3, 4)))
        assert "BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-04" in lines


def test_it_gives_the_same_people_back_after_export_and_import(world: World) -> None:
    originals = make_varied_people(world.a)
    people = with_row_data(Contact.objects.filter(pk__in=[p.pk for p in originals])).order_by("pk")

    cards = vcard.parse(vcard.serialize(people))
    copies = []
    for card in cards:
        assert card.ok and not card.warnings, (card.problem, card.warnings)
        data = card.to_contact_data(category_ids=category_ids_by_name(world.c, card.categories))
        copies.append(contact_create(account=world.c, actor=None, data=data)[0])

    fresh = with_row_data(Contact.objects.filter(pk__in=[c.pk for c in copies])).order_by("pk")
    assert [snapshot(c) for c in fresh] == [snapshot(c) for c in people]
