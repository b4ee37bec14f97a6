"""Letters to print: the weekly batch of printed drips, one order for the letters, labels
and envelopes, merge fields filled, people the rules refuse left out with the reason,
"mark printed", and the page."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import Address, Contact, Note
from contacts.services import AddressInput
from drips import printing
from drips.models import ContentItem, Enrollment, Send, Sequence, Step
from tests.contacts.people import make_person_in
from tests.helpers import body_of
from tests.world import World

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"
POINTS = 72  # PDF points per inch
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils missing: run bin/system-deps test"
)
LETTER = (
    'Dear {{ first_name|default:"Neighbor" }},\n\nThinking of buying your first home?\n'
    "Call me any time.\n\nWarm regards,\n{{ agent_signature }}"
)


def _home(street: str, **kwargs: Any) -> AddressInput:
    values = {"city": "Fort Collins", "state": "CO", "postal_code": "80521", **kwargs}
    return AddressInput(street=street, **values)


def _person(world: World, first: str, last: str, **kwargs: Any) -> Contact:
    kwargs.setdefault("addresses", [_home(f"{len(first + last)} Elm St")])
    return make_person_in(world.a, first=first, last=last, **kwargs)


def _letter_step(
    world: World,
    *,
    name: str = "First-Time Buyer",
    title: str = "First-Time Buyer 2 of 4",
    body: str = LETTER,
    account: Any = None,
) -> Step:
    account = account or world.a
    sequence = Sequence.objects.create(account=account, name=name)
    item = ContentItem.objects.create(account=account, kind="letter", title=title, body=body)
    return Step.objects.create(account=account, sequence=sequence, position=1, kind="letter",
                               content=item, delay_days=0)  # fmt: skip


def _waiting(step: Step, person: Contact, *, at: datetime | None = None) -> Send:
    """A letter step that fell due for the person (what the beat pass writes)."""
    enrollment = Enrollment.objects.create(
        account_id=step.account_id, contact=person, sequence=step.sequence, status="active"
    )
    return Send.objects.create(
        account_id=step.account_id, enrollment=enrollment, step=step, contact=person,
        kind="letter", status="to_print", created_at=at or timezone.now(),
    )  # fmt: skip


def _page_ids(response: Any) -> list[int]:
    """The send ids the mark-printed form posts, in the page's order."""
    html = response.content.decode()
    form = html[html.index('action="/drips/letters/mark-printed/"') :]
    form = form[: form.index("</form>")]
    return [int(pk) for pk in re.findall(r'name="send" value="(\d+)"', form)]


def _pdf(response: Any) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert re.match(r'attachment; filename="[\w-]+\.pdf"', response["Content-Disposition"])
    return body_of(response)


def _words(content: bytes, tmp_path: Path) -> list[dict[str, Any]]:
    """Each word with its page and box in points, top-left origin (pdftotext -bbox)."""
    pdf = tmp_path / "out.pdf"
    pdf.write_bytes(content)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    words: list[dict[str, Any]] = []
    for number, page in enumerate(html.split("<page ")[1:], start=1):
        for match in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            page,
        ):
            x, y, x2, y2 = (float(match[n]) for n in range(1, 5))
            words.append({"page": number, "x": x, "y": y, "x2": x2, "y2": y2, "text": match[5]})
    return words


def _text(content: bytes) -> list[str]:
    """The text of each page."""
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, check=True, capture_output=True
    ).stdout.decode()
    return out.split("\f")[:-1]


def _size(content: bytes) -> tuple[int, int]:
    info = subprocess.run(["pdfinfo", "-"], input=content, check=True, capture_output=True)
    match = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout.decode(), re.M)
    assert match is not None
    return round(float(match[1])), round(float(match[2]))


def _window_names(content: bytes, tmp_path: Path) -> list[str]:
    """Per letter page, the first word in the #10 window (the recipient's first name).
    The window shows about 2.05in to 3.17in down and 0.9in to 5.4in across, wherever the
    folded letter slides: the address block must sit inside, and nothing else may show."""
    names: list[str] = []
    words = _words(content, tmp_path)
    for page in sorted({w["page"] for w in words}):
        inside = [
            w
            for w in words
            if w["page"] == page
            and w["y2"] > 1.9 * POINTS
            and w["y"] < 3.3 * POINTS
            and w["x"] < 5.4 * POINTS
        ]
        assert inside, f"nothing in the window on page {page}"
        for word in inside:
            assert word["y"] > 2.05 * POINTS and word["y2"] < 3.17 * POINTS, word
            assert word["x"] > 0.9 * POINTS and word["x2"] < 4.5 * POINTS, word
        names.append(min(inside, key=lambda w: (w["y"], w["x"]))["text"])
    return names


def _label_names(content: bytes, tmp_path: Path) -> list[str]:
    """The first word of each Avery 5160 label, sheet by sheet, row by row, left to right."""
    first: dict[tuple[int, int, int], dict[str, Any]] = {}
    for word in _words(content, tmp_path):
        row = int((word["y"] - 0.5 * POINTS) // POINTS)
        column = int((word["x"] - 0.1875 * POINTS) // (2.75 * POINTS))
        key = (word["page"], row, column)
        if key not in first or (word["y"], word["x"]) < (first[key]["y"], first[key]["x"]):
            first[key] = word
    return [first[key]["text"] for key in sorted(first)]


def _envelope_names(content: bytes, tmp_path: Path) -> list[str]:
    """The first word of the recipient block (below the return address) of each envelope."""
    names = []
    words = _words(content, tmp_path)
    for page in sorted({w["page"] for w in words}):
        block = [w for w in words if w["page"] == page and w["y"] > 1.6 * POINTS]
        names.append(min(block, key=lambda w: (w["y"], w["x"]))["text"])
    return names


def _png(content: bytes, name: str) -> None:
    """Page 1 as PNG under test-artifacts/pdf/, to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    pdf.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(ARTIFACTS / name)], check=True)  # fmt: skip


@pytest.fixture(autouse=True)
def _only_these_letters(request: pytest.FixtureRequest) -> None:
    """The shared world leaves a letter to print in every account (for the cross-account
    probe); these tests count their own."""
    if "world" in request.fixturenames:
        world = request.getfixturevalue("world")
        Send.objects.filter(account=world.a, status="to_print").delete()


@pytest.fixture
def cast(world: World) -> dict[str, Send]:
    """Letters waiting for people made out of name order: same last names, one person
    with two letters (two sequences), one without a first name."""
    first = _letter_step(world)
    second = _letter_step(world, name="Sphere", title="Staying in Touch")
    people = {
        "zoe": _person(world, "Zoe", "Young"),
        "amy": _person(
            world,
            "Amy",
            "Baker",
            company="Baker Bakery",
            addresses=[_home("3 Oak Ave", unit="Apt 4")],
        ),
        "carl": _person(world, "Carl", "Baker"),
        "nameless": _person(world, "", "Quiet"),
        "mia": _person(world, "Mia", "Moss"),
    }
    sends = {key: _waiting(first, person) for key, person in people.items()}
    sends["mia-2"] = _waiting(second, people["mia"])
    return sends


class TestTheBatch:
    def test_it_orders_by_last_name_first_name_then_send(
        self, world: World, cast: dict[str, Send]
    ) -> None:
        found = printing.batch(world.a.pk)
        names = [(s.send.contact.first_name, s.send.contact.last_name) for s in found.letters]
        assert names == [
            ("Amy", "Baker"), ("Carl", "Baker"), ("Mia", "Moss"), ("Mia", "Moss"),
            ("", "Quiet"), ("Zoe", "Young"),
        ]  # fmt: skip
        mia = [s.send.pk for s in found.letters if s.send.contact.first_name == "Mia"]
        assert mia == sorted(mia) == sorted([cast["mia"].pk, cast["mia-2"].pk])
        assert found.doubled == {cast["mia"].contact_id}  # two drips, two letters: flagged
        assert [p.lines for p in found.pieces] == [s.address for s in found.letters]
        amy = found.letters[0]
        assert amy.address == ["Amy Baker", "Baker Bakery", "3 Oak Ave Apt 4",
                               "Fort Collins, CO 80521"]  # fmt: skip
        assert amy.mailing_line == "Baker Bakery, 3 Oak Ave Apt 4, Fort Collins, CO 80521"

    def test_it_fills_the_merge_fields(self, world: World, cast: dict[str, Send]) -> None:
        found = printing.batch(world.a.pk)
        texts = {
            s.send.contact.last_name + s.send.contact.first_name: s.text for s in found.letters
        }
        assert texts["YoungZoe"].startswith("Dear Zoe,\n\nThinking of buying")
        assert texts["Quiet"].startswith("Dear Neighbor,")
        assert texts["YoungZoe"].endswith("Warm regards,\nAlice Agent\nalice@example.com")
        assert not any("Dear ," in text or "{{" in text for text in texts.values())

    def test_people_the_rules_refuse_are_left_out_with_the_reason(self, world: World) -> None:
        step = _letter_step(world)
        ok = _waiting(step, _person(world, "Olive", "Okay"))
        dead = _waiting(step, _person(world, "Dan", "Deceased"))
        back = _waiting(step, _person(world, "Rita", "Returned"))
        cold = _waiting(step, _person(world, "Cole", "Cold", categories=["cold"]))
        homeless = _waiting(step, _person(world, "Nora", "Noaddress", addresses=[]))
        Contact.objects.filter(pk=dead.contact_id).update(deceased_on=date(2024, 3, 1))
        Address.objects.filter(contact_id=back.contact_id).update(status="returned")
        found = printing.batch(world.a.pk)
        assert found.send_ids == [ok.pk]
        assert {left.send.pk: left.reason for left in found.refused} == {
            dead.pk: "Deceased",
            back.pk: "Mail came back (returned)",
            cold.pk: "In Cold: no automations",
            homeless.pk: "No mailing address",
        }
        assert found.problems == []

    def test_a_letter_with_problems_is_listed_apart(self, world: World) -> None:
        fine = _waiting(_letter_step(world), _person(world, "", "Fine"))
        blank = _waiting(
            _letter_step(world, title="No fallback", body="Dear {{ first_name }},\nHi."),
            _person(world, "", "Blank"),
        )
        broken = _waiting(
            _letter_step(world, title="Broken", body="Dear {{ first_name.upper }},"),
            _person(world, "Bea", "Broken"),
        )
        gone_step = _letter_step(world, title="Gone")
        gone = _waiting(gone_step, _person(world, "Gil", "Gone"))
        assert gone_step.content is not None
        gone_step.content.delete()
        found = printing.batch(world.a.pk)
        assert found.send_ids == [fine.pk]
        reasons = {left.send.pk: left.reason for left in found.problems}
        assert reasons[gone.pk] == "The letter was deleted from the library."
        assert reasons[blank.pk] == "No value for “First name” and no fallback in the text."
        assert "is not a merge field" in reasons[broken.pk]
        assert found.refused == []

    def test_the_week_is_what_was_due_up_to_its_sunday(self, world: World) -> None:
        step = _letter_step(world)
        monday, sunday = printing.week_of(timezone.localdate() - timedelta(weeks=3))
        zone = printing.account_zone(world.a)
        late_sunday = datetime.combine(sunday, datetime.max.time(), tzinfo=zone)
        old = _waiting(step, _person(world, "Olga", "Old"), at=late_sunday)
        _waiting(step, _person(world, "Nina", "New"), at=late_sunday + timedelta(seconds=1))
        done = _waiting(step, _person(world, "Dora", "Done"), at=late_sunday)
        Send.objects.filter(pk=done.pk).update(status="done")
        assert printing.batch(world.a.pk, through=sunday).send_ids == [old.pk]
        assert len(printing.batch(world.a.pk).send_ids) == 2
        assert printing.batch(world.a.pk, through=monday - timedelta(days=1)).send_ids == []


@needs_poppler
class TestThePdfs:
    def test_letters_labels_and_envelopes_come_in_one_order(
        self, alice: Client, world: World, cast: dict[str, Send], tmp_path: Path
    ) -> None:
        page = alice.get("/drips/letters/")
        ids = _page_ids(page)
        assert ids == printing.batch(world.a.pk).send_ids and len(ids) == 6
        assert page.content.decode().count("2+ letters") == 2  # Mia's two rows
        posted = {"send": [str(pk) for pk in ids], "week": "all"}
        letters = _pdf(alice.post("/drips/letters/letters.pdf", posted))
        labels = _pdf(alice.post("/drips/letters/labels.pdf", posted))
        envelopes = _pdf(alice.post("/drips/letters/envelopes.pdf", posted))
        _png(letters, "drip-letters")
        _png(labels, "drip-letter-labels")
        _png(envelopes, "drip-letter-envelopes")
        expected = ["Amy", "Carl", "Mia", "Mia", "Quiet", "Zoe"]
        assert _window_names(letters, tmp_path) == expected  # one letter a page
        assert _label_names(labels, tmp_path) == expected
        assert _envelope_names(envelopes, tmp_path) == expected
        assert _size(letters) == (612, 792)  # US Letter
        assert _size(envelopes) == (684, 297)  # #10
        assert _text(envelopes)[0].split()[:4] == ["Alice", "Agent", "Alpha", "Realty"]
        # A GET with the week makes the same file from the batch as it is now.
        again = _pdf(alice.get("/drips/letters/letters.pdf", {"week": "all"}))
        assert _window_names(again, tmp_path) == expected

    def test_each_letter_has_the_letterhead_the_date_and_the_merged_text(
        self, alice: Client, world: World, cast: dict[str, Send]
    ) -> None:
        world.alice.mobile_phone = "(970) 555-0100"
        world.alice.save()
        letters = _pdf(alice.get("/drips/letters/letters.pdf"))
        pages = _text(letters)
        assert len(pages) == 6
        today = timezone.localdate(timezone=printing.account_zone(world.a))
        for text in pages:
            head = text.split("Dear")[0]
            for part in ("Alice Agent", "Alpha Realty", "(970) 555-0100", "alice@example.com"):
                assert part in head, part
            assert f"{today:%B} {today.day}, {today.year}" in head
            assert "Dear ," not in text and "{{" not in text
            assert "Thinking of buying your first home?\n" in text  # line breaks kept
        assert "Dear Zoe," in pages[-1] and "Dear Neighbor," in pages[-2]

    def test_every_seeded_letter_prints_on_one_page(self, world: World, tmp_path: Path) -> None:
        world.alice.mobile_phone = "(970) 555-0100"
        world.alice.save()
        long_street = _home("1234 Longer Street Name Blvd", unit="Unit 56")
        person = _person(
            world, "Jack", "Seller", salutation="Jack & Sandy Seller", addresses=[long_street]
        )
        seeded = ContentItem.objects.filter(account=world.a, kind="letter").exclude(key="")
        for item in seeded:
            step = Step.objects.create(
                account=world.a, kind="letter", content=item, position=1,
                sequence=Sequence.objects.create(account=world.a, name=f"Seq {item.key}"),
            )  # fmt: skip
            _waiting(step, person)
        found = printing.batch(world.a.pk)
        assert found.problems == [] and found.refused == []
        assert len(found.letters) == seeded.count() >= 10
        content = printing.letters_pdf(found)
        pages = _text(content)
        assert len(pages) == len(found.letters)  # none runs onto a second page
        assert all("Dear Jack & Sandy Seller," in page for page in pages)
        keys = [getattr(s.send.step.content, "key", "") for s in found.letters]
        fsbo = keys.index("fsbo-1")
        pdf = tmp_path / "letters.pdf"
        pdf.write_bytes(content)
        subprocess.run(["pdfseparate", "-f", str(fsbo + 1), "-l", str(fsbo + 1), str(pdf),
                        str(tmp_path / "fsbo.pdf")], check=True)  # fmt: skip
        _png((tmp_path / "fsbo.pdf").read_bytes(), "drip-letter-fsbo")

    def test_an_unsigned_letter_gets_the_signature(self, world: World) -> None:
        _waiting(_letter_step(world, body="Hello {{ full_name }}.\nSee you soon."),
                 _person(world, "Sam", "Unsigned"))  # fmt: skip
        html = printing.letters_html(printing.batch(world.a.pk))
        assert 'class="signature"' in html and "Alice Agent" in html.split("See you soon.")[1]

    def test_the_refused_are_not_printed(
        self, alice: Client, world: World, cast: dict[str, Send]
    ) -> None:
        Contact.objects.filter(pk=cast["zoe"].contact_id).update(deceased_on=date(2024, 3, 1))
        text = "".join(_text(_pdf(alice.get("/drips/letters/letters.pdf"))))
        labels = "".join(_text(_pdf(alice.get("/drips/letters/labels.pdf"))))
        assert "Zoe" not in text and "Zoe" not in labels and "Carl" in labels

    def test_an_empty_batch_makes_no_pdf(self, alice: Client, world: World) -> None:
        response = alice.post("/drips/letters/letters.pdf", {"send": ["999999"]})
        assert response.status_code == 302 and response["Location"].startswith("/drips/letters/")


class TestMarkPrinted:
    def test_it_moves_the_letters_to_done_and_notes_each_person(
        self, alice: Client, world: World, cast: dict[str, Send]
    ) -> None:
        ids = _page_ids(alice.get("/drips/letters/"))
        response = alice.post("/drips/letters/mark-printed/", {"send": ids, "week": "all"})
        assert response.status_code == 302 and response["Location"] == "/drips/letters/?week=all"
        assert set(Send.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"done"}
        assert not Send.objects.filter(pk__in=ids, sent_at__isnull=True).exists()
        day = timezone.localdate(timezone=printing.account_zone(world.a)).isoformat()
        zoe = Note.objects.get(contact_id=cast["zoe"].contact_id)
        assert zoe.kind == "system" and zoe.author == world.alice
        assert zoe.body == (
            f"Printed letter “First-Time Buyer 2 of 4” (drip “First-Time Buyer”) on {day}."
        )
        assert Note.objects.filter(contact_id=cast["mia"].contact_id).count() == 2
        person = Contact.objects.get(pk=cast["zoe"].contact_id)
        assert person.last_contacted_at is None  # a letter is not a conversation
        assert "No letters to print this week" in alice.get("/drips/letters/").content.decode()

    def test_a_second_mark_does_nothing(
        self, alice: Client, world: World, cast: dict[str, Send]
    ) -> None:
        ids = [cast["zoe"].pk, cast["amy"].pk]
        assert printing.mark_printed(world.a.pk, ids, world.alice) == 2
        notes = Note.objects.count()
        sent_at = Send.objects.get(pk=cast["zoe"].pk).sent_at
        alice.post("/drips/letters/mark-printed/", {"send": ids})
        assert printing.mark_printed(world.a.pk, ids, world.alice) == 0
        assert Note.objects.count() == notes
        assert Send.objects.get(pk=cast["zoe"].pk).sent_at == sent_at

    def test_only_the_posted_letters_that_would_print_are_marked(
        self, alice: Client, world: World, cast: dict[str, Send]
    ) -> None:
        Contact.objects.filter(pk=cast["zoe"].contact_id).update(deceased_on=date(2024, 3, 1))
        alice.post("/drips/letters/mark-printed/", {"send": [cast["zoe"].pk, cast["amy"].pk]})
        assert Send.objects.get(pk=cast["zoe"].pk).status == "to_print"  # refused: not marked
        assert Send.objects.get(pk=cast["amy"].pk).status == "done"
        assert Send.objects.get(pk=cast["carl"].pk).status == "to_print"  # not posted
        assert not Note.objects.filter(contact_id=cast["zoe"].contact_id).exists()

    def test_another_accounts_letters_are_ignored(
        self, alice: Client, world: World, cast: dict[str, Send]
    ) -> None:
        theirs = _waiting(
            _letter_step(world, account=world.b),
            make_person_in(world.b, first="Bravo", last="Reader", addresses=[_home("1 B St")]),
        )
        page = alice.get("/drips/letters/", {"week": "all"}).content.decode()
        assert "Reader" not in page and theirs.pk not in _page_ids(alice.get("/drips/letters/"))
        if shutil.which("pdftotext"):
            for url in ("/drips/letters/letters.pdf", "/drips/letters/labels.pdf"):
                assert "Reader" not in "".join(_text(_pdf(alice.get(url)))), url
        for url in ("/drips/letters/letters.pdf", "/drips/letters/labels.pdf",
                    "/drips/letters/envelopes.pdf"):  # fmt: skip
            assert alice.post(url, {"send": [theirs.pk]}).status_code == 302, url
        alice.post("/drips/letters/mark-printed/", {"send": [theirs.pk]})
        assert printing.mark_printed(world.a.pk, [theirs.pk], world.alice) == 0
        theirs.refresh_from_db()
        assert theirs.status == "to_print" and theirs.sent_at is None
        assert not Note.objects.filter(contact_id=theirs.contact_id).exists()


class TestThePage:
    def test_it_needs_a_login(self, client: Client, world: World) -> None:
        for url in ("/drips/letters/", "/drips/letters/letters.pdf"):
            response = client.get(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        response = client.post("/drips/letters/mark-printed/", {"send": ["1"]})
        assert response.status_code in (302, 403)

    def test_it_shows_the_empty_state(self, alice: Client, world: World) -> None:
        html = alice.get("/drips/letters/").content.decode()
        assert "No letters to print this week" in html
        assert 'href="/drips/sequences/"' in html
        assert "mark-printed" not in html

    def test_it_lists_the_batch_and_the_left_out_apart(
        self, alice: Client, world: World, cast: dict[str, Send]
    ) -> None:
        Address.objects.filter(contact_id=cast["zoe"].contact_id).update(status="returned")
        response = alice.get("/drips/letters/")
        html = response.content.decode()
        assert response.status_code == 200
        letters = html[html.index("data-letters") : html.index("</table>")]
        assert "Amy Baker" in letters and "First-Time Buyer 2 of 4" in letters
        assert "Baker Bakery, 3 Oak Ave Apt 4, Fort Collins, CO 80521" in letters
        assert "Zoe" not in letters
        left_out = html[html.index("data-left-out") :]
        assert "Zoe Young" in left_out and "Mail came back (returned)" in left_out
        for label in ("Letters PDF", "Labels PDF (Avery 5160)", "Envelopes PDF (#10)",
                      "Mark printed", "csrfmiddlewaretoken"):  # fmt: skip
            assert label in html, label
        assert cast["zoe"].pk not in _page_ids(response) and len(_page_ids(response)) == 5

    def test_its_queries_do_not_grow_with_the_batch(self, alice: Client, world: World) -> None:
        step = _letter_step(world)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert alice.get("/drips/letters/").status_code == 200
            return len(queries)

        alice.get("/drips/letters/")  # the session's first request reads a little more
        for n in range(3):
            _waiting(step, _person(world, f"P{n}", f"Person{n:02d}"))
        three = count()
        for n in range(3, 30):
            _waiting(step, _person(world, f"P{n}", f"Person{n:02d}"))
        assert count() == three <= 20  # Postgres adds the tenant wall's set_config calls
