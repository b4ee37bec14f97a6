"""Mailings: the vendor CSV (postal or email), Avery 5160 labels and #10 envelopes as PDF,
who is left out and why, and who may make them."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from contacts.models import Address, Contact, Email, SmartList
from contacts.services import AddressInput, contacts_trash
from crm.models import Category, Job, JobStatus, Membership
from crm.services import category_create
from prospects import mailing
from tests.conftest import login
from tests.contacts.people import make_person_in
from tests.helpers import body_of
from tests.world import World

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"
POINTS = 72  # PDF points per inch
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils missing: run bin/system-deps test"
)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _home(street: str = "12 Elm St", **kwargs: Any) -> AddressInput:
    values = {"city": "Fort Collins", "state": "CO", "postal_code": "80521", **kwargs}
    return AddressInput(street=street, **values)


def _cards(world: World) -> Category:
    return category_create(account=world.a, name="Holiday cards")


def _person(world: World, first: str, last: str, **kwargs: Any) -> Contact:
    kwargs.setdefault("categories", ["Holiday cards"])
    return make_person_in(world.a, first=first, last=last, **kwargs)


def _cast(world: World) -> dict[str, Contact]:
    """Everyone a card list meets: the fine, the left out and why."""
    _cards(world)
    cast = {
        "jack": _person(
            world, "Jack", "Smith", salutation="Jack & Sandy Smith", company="Smith Roofing",
            addresses=[_home("12 Elm St", unit="Apt 4")], emails=["jack@example.com"],
        ),
        "jill": _person(world, "Jill", "Adams", addresses=[_home("3 Oak Ave")]),
        "nobody": _person(world, "Nora", "Noaddress", emails=["nora@example.com"]),
        "dead": _person(world, "Dan", "Deceased", addresses=[_home("5 Pine Rd")]),
        "back": _person(world, "Rita", "Returned", addresses=[_home("7 Gone Ln")]),
        "trash": _person(world, "Tom", "Trashed", addresses=[_home("9 Bin St")]),
        "optout": _person(world, "Otto", "Optout", emails=["otto@example.com"]),
    }  # fmt: skip
    Contact.objects.filter(pk=cast["dead"].pk).update(deceased_on=date(2024, 3, 1))
    Address.objects.filter(contact=cast["back"]).update(status="returned")
    Email.objects.filter(contact=cast["optout"]).update(status="opted_out")
    contacts_trash(contacts=Contact.objects.filter(pk=cast["trash"].pk), actor=None)
    return cast


def _category_params(world: World, output: str) -> dict[str, str]:
    category = Category.objects.get(account=world.a, name="Holiday cards")
    return {"source": "category", "category": str(category.pk), "output": output}


def _start(client: Client, capture: Any, params: dict[str, str]) -> Any:
    with capture(execute=True):
        return client.post("/prospects/mailing/", params)


def _job_file(client: Client, response: Any) -> tuple[Job, bytes]:
    assert response.status_code == 302, response.status_code
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
    assert job.status == JobStatus.DONE, job.message
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200, download.status_code
    return job, body_of(download)


def _rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode()), "no byte-order mark for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


class TestMailingCsv:
    def test_it_writes_the_vendor_columns_for_people_with_a_usable_address(
        self, alice: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        _cast(world)
        response = _start(
            alice, django_capture_on_commit_callbacks, _category_params(world, "mailing_csv")
        )
        job, content = _job_file(alice, response)
        assert job.kind == "prospects.mailing_csv_export"
        rows = _rows(content)
        assert rows[0] == [
            "Salutation", "First name", "Last name", "Company",
            "Street", "Unit", "City", "State", "ZIP", "Country",
        ]  # fmt: skip
        assert rows[1:] == [
            ["Jill Adams", "Jill", "Adams", "", "3 Oak Ave", "",
             "Fort Collins", "CO", "80521", "US"],
            ["Jack & Sandy Smith", "Jack", "Smith", "Smith Roofing", "12 Elm St", "Apt 4",
             "Fort Collins", "CO", "80521", "US"],
        ]  # fmt: skip

    def test_it_writes_only_usable_emails_in_the_email_list(
        self, alice: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        _cast(world)
        response = _start(
            alice, django_capture_on_commit_callbacks, _category_params(world, "email_csv")
        )
        _, content = _job_file(alice, response)
        rows = _rows(content)
        assert rows[0] == ["Salutation", "First name", "Last name", "Company", "Email"]
        assert [row[4] for row in rows[1:]] == ["nora@example.com", "jack@example.com"]

    def test_it_neutralises_spreadsheet_formulas(
        self, alice: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        _cards(world)
        _person(
            world, "=HYPERLINK(\"http://x\")", "+Sum", company="@evil",
            addresses=[_home("-1 Minus St", city="=cmd")],
        )  # fmt: skip
        response = _start(
            alice, django_capture_on_commit_callbacks, _category_params(world, "mailing_csv")
        )
        _, content = _job_file(alice, response)
        row = _rows(content)[1]
        assert row[1] == '\'=HYPERLINK("http://x")'
        assert row[2] == "'+Sum"
        assert row[3] == "'@evil"
        assert row[4] == "'-1 Minus St"
        assert row[6] == "'=cmd"
        assert all(not cell.startswith(("=", "+", "-", "@")) for cell in row)

    def test_it_leaves_income_columns_out_without_can_see_income(
        self, world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
    ) -> None:
        _cast(world)
        commission = mailing.Column("Commission", lambda person, target: "12,500", income=True)
        monkeypatch.setattr(mailing, "INCOME_COLUMNS", [commission])
        Membership.objects.filter(user=world.ann, account=world.a).update(can_export=True)
        seen = {}
        for user in (world.alice, world.ann):
            client = login(Client(), user.email)
            response = _start(
                client, django_capture_on_commit_callbacks, _category_params(world, "mailing_csv")
            )
            _, content = _job_file(client, response)
            seen[user.email] = _rows(content)
        assert seen["alice@example.com"][0][-1] == "Commission"
        assert seen["alice@example.com"][1][-1] == "12,500"
        assert "Commission" not in seen["ann@example.com"][0]
        assert "12,500" not in str(seen["ann@example.com"])
        assert len(seen["ann@example.com"][1]) == 10

    def test_it_takes_the_people_of_a_smart_list_or_the_contacts_filter(
        self, alice: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        _cast(world)
        smart = SmartList.objects.create(account=world.a, name="Smiths", query="q=smith")
        for params in (
            {"source": "smart", "smart": str(smart.pk), "output": "mailing_csv"},
            {"source": "query", "query": "q=smith&database=contacts", "output": "mailing_csv"},
        ):
            response = _start(alice, django_capture_on_commit_callbacks, params)
            _, content = _job_file(alice, response)
            assert [row[2] for row in _rows(content)[1:]] == ["Smith"], params


class TestMailingPage:
    def test_it_shows_how_many_are_included_and_why_the_rest_are_not(
        self, alice: Client, world: World
    ) -> None:
        _cast(world)
        html = alice.get("/prospects/mailing/", _category_params(world, "labels")).content.decode()
        assert re.search(r"data-included>2<", html)
        assert re.search(r"data-skipped>4<", html)  # the trash is not counted at all
        assert re.search(r"Deceased</td><td class=\"num\">1<", html)
        assert re.search(r"returned address\)</td><td class=\"num\">1<", html)
        assert re.search(r"No usable mailing address</td><td class=\"num\">2<", html)
        assert "Preview" in html

    def test_it_refuses_a_member_without_can_export(
        self, ann: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        _cast(world)
        params = _category_params(world, "mailing_csv")
        assert ann.get("/prospects/mailing/", params).status_code == 403
        assert ann.get("/prospects/mailing/preview/", params).status_code == 403
        assert ann.get("/prospects/mailing/preview/sheet/", params).status_code == 403
        assert _start(ann, django_capture_on_commit_callbacks, params).status_code == 403
        assert not Job.objects.filter(kind__startswith="prospects.").exists()
        job = mailing.mailing_start(
            account=world.a,
            actor=world.alice,
            ids=[],
            output="mailing_csv",
            can_see_income=True,
        )
        job.status = JobStatus.DONE
        job.result_name = "x.csv"
        job.result_file.save("x.csv", io.BytesIO(b"x"))  # type: ignore[arg-type]
        assert ann.get(f"/jobs/{job.pk}/download/").status_code == 403

    def test_it_answers_404_for_another_accounts_smart_list_or_category(
        self, alice: Client, world: World
    ) -> None:
        smart = SmartList.objects.filter(account=world.b).first()
        category = Category.objects.filter(account=world.b).first()
        assert smart is not None and category is not None
        for params in (
            {"source": "smart", "smart": str(smart.pk), "output": "labels"},
            {"source": "category", "category": str(category.pk), "output": "labels"},
        ):
            for url in ("/prospects/mailing/", "/prospects/mailing/preview/",
                        "/prospects/mailing/preview/sheet/"):  # fmt: skip
                assert alice.get(url, params).status_code == 404, (url, params)
            assert alice.post("/prospects/mailing/", params).status_code == 404, params
        assert not Job.objects.filter(kind__startswith="prospects.").exists()


def _pdf_words(content: bytes, tmp_path: Path) -> list[dict[str, Any]]:
    """Each word with its page and box in points, top-left origin (pdftotext -bbox)."""
    pdf = tmp_path / "out.pdf"
    pdf.write_bytes(content)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    words: list[dict[str, Any]] = []
    for page_number, page in enumerate(html.split("<page ")[1:], start=1):
        for match in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>',
            page,
        ):
            words.append(
                {"page": page_number, "x": float(match[1]), "y": float(match[2]), "text": match[3]}
            )
    return words


def _pdfinfo(content: bytes) -> str:
    return subprocess.run(
        ["pdfinfo", "-"], input=content, check=True, capture_output=True
    ).stdout.decode()


def _page_count(content: bytes) -> int:
    match = re.search(r"^Pages:\s+(\d+)", _pdfinfo(content), re.M)
    assert match is not None
    return int(match[1])


def _page_size(content: bytes) -> tuple[int, int]:
    """Page 1's size in points."""
    match = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", _pdfinfo(content), re.M)
    assert match is not None
    return round(float(match[1])), round(float(match[2]))


def _png(content: bytes, name: str) -> Path:
    """Page 1 as PNG under test-artifacts/pdf/, to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    pdf.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(ARTIFACTS / name)],
        check=True,
    )  # fmt: skip
    return ARTIFACTS / f"{name}.png"


def _pdf_response(client: Client, capture: Any, params: dict[str, str]) -> bytes:
    response = _start(client, capture, params)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    return bytes(response.content)


@needs_poppler
class TestLabels:
    def test_it_fills_avery_5160_sheets_in_name_order(
        self,
        alice: Client,
        world: World,
        django_capture_on_commit_callbacks: Any,
        tmp_path: Path,
    ) -> None:
        _cast(world)
        for n in range(29):  # with Jack and Jill: 31 labels
            _person(world, f"Pers{n:02d}", f"Label{n:02d}", addresses=[_home(f"{n} Main St")])
        content = _pdf_response(
            alice, django_capture_on_commit_callbacks, _category_params(world, "labels")
        )
        assert _page_count(content) == 2
        assert _page_size(content) == (612, 792)  # US Letter
        words = _pdf_words(content, tmp_path)
        texts = [w["text"] for w in words]
        for left_out in ("Deceased", "Returned", "Noaddress", "Trashed"):
            assert left_out not in texts, left_out

        def first(text: str) -> dict[str, Any]:
            return next(w for w in words if w["text"] == text)

        # Name order: Adams, Label00..Label28, Smith; three across, then the next row.
        jill = first("Jill")
        assert jill["page"] == 1
        assert jill["x"] < 0.5 * POINTS and 0.5 * POINTS < jill["y"] < 1 * POINTS  # top-left label
        second, third, fourth = first("Pers00"), first("Pers01"), first("Pers02")
        assert abs(second["y"] - jill["y"]) < 2 and second["x"] > 2.75 * POINTS
        assert abs(third["y"] - jill["y"]) < 2 and third["x"] > 5.6 * POINTS
        assert abs(fourth["x"] - jill["x"]) < 2  # the fourth label starts the second row
        assert abs(fourth["y"] - jill["y"] - 1 * POINTS) < 2  # one label (1in) lower
        assert first("Smith")["page"] == 2  # the 31st label
        assert "Sandy" in texts and "Roofing" in texts and "Apt" in texts

        png = _png(content, "labels-page1")
        assert png.stat().st_size > 1000

    def test_it_writes_one_envelope_per_person_with_the_return_address(
        self,
        alice: Client,
        world: World,
        django_capture_on_commit_callbacks: Any,
        tmp_path: Path,
    ) -> None:
        _cast(world)
        content = _pdf_response(
            alice, django_capture_on_commit_callbacks, _category_params(world, "envelopes")
        )
        assert _page_count(content) == 2  # Jill and Jack
        words = _pdf_words(content, tmp_path)
        page_one = [w for w in words if w["page"] == 1]
        alpha = next(w for w in page_one if w["text"] == "Alpha")
        assert alpha["x"] < 1 * POINTS and alpha["y"] < 1 * POINTS  # return address top-left
        assert any(w["text"] == "Alice" and w["y"] < 1 * POINTS for w in page_one)
        jill = next(w for w in page_one if w["text"] == "Jill")
        assert 3 * POINTS < jill["x"] < 5 * POINTS and 1.5 * POINTS < jill["y"] < 2.5 * POINTS
        assert not any(w["text"] in ("Deceased", "Returned") for w in words)
        assert _page_size(content) == (684, 297)  # 9.5in x 4.125in

        png = _png(content, "envelope-page1")
        assert png.stat().st_size > 1000

    def test_it_makes_large_runs_in_the_worker(
        self,
        alice: Client,
        world: World,
        monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        _cast(world)
        monkeypatch.setattr(mailing, "SYNC_LIMIT", 1)
        response = _start(
            alice, django_capture_on_commit_callbacks, _category_params(world, "labels")
        )
        job, content = _job_file(alice, response)
        assert job.kind == "prospects.labels_export"
        assert content.startswith(b"%PDF") and _page_count(content) == 1
        assert job.message.startswith("2 people")

    def test_it_previews_the_first_sheet_with_the_same_template(
        self, alice: Client, world: World
    ) -> None:
        _cast(world)
        params = _category_params(world, "labels")
        page = alice.get("/prospects/mailing/preview/", params).content.decode()
        assert "/prospects/mailing/preview/sheet/?" in page and "Download PDF" in page
        sheet = alice.get("/prospects/mailing/preview/sheet/", params)
        html = sheet.content.decode()
        assert sheet["X-Frame-Options"] == "SAMEORIGIN"
        assert html.count('class="label"') == 2
        assert "Jack &amp; Sandy Smith" in html and "Deceased" not in html
        assert "dotted" not in html
