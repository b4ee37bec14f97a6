"""Exports of people: CSV and vCard worker jobs, the single-person .vcf, and who may export."""

from __future__ import annotations

import csv
import io
import zoneinfo
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts import exports
from contacts.models import Contact, Phone
from contacts.services import (
    AddressInput,
    ContactData,
    EmailInput,
    PhoneInput,
    contact_create,
    phone_set_status,
)
from crm.models import Account, Category, Job, JobStatus
from tests.conftest import login
from tests.helpers import body_of
from tests.world import World


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _person(account: Account, first: str, last: str = "Export", **kwargs: Any) -> Contact:
    contact, _ = contact_create(
        account=account,
        actor=None,
        data=ContactData(fields={"first_name": first, "last_name": last}, **kwargs),
    )
    return contact


def _rows(content: bytes) -> list[dict[str, str]]:
    assert content.startswith("\ufeff".encode()), "no byte-order mark for Excel"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _bulk_export(
    client: Client, capture: Callable[..., Any], ids: list[int], action: str = "export_csv"
) -> Job:
    with capture(execute=True):
        response = client.post("/contacts/bulk/", {"action": action, "ids": ids})
    assert response.status_code == 302, response.status_code
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
    assert response["Location"] == f"/jobs/{job.pk}/"
    return job


def _download(client: Client, job: Job) -> bytes:
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200, response.status_code
    return body_of(response)


class TestCsvExport:
    def test_it_writes_everyone_chosen_with_their_details(
        self, alice: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        top = Category.objects.get(account=world.a, key="top100")
        jack = _person(
            world.a,
            "Jack",
            "Smith",
            phones=[
                PhoneInput("(970) 555-0101"),
                PhoneInput("970 555 0102", "home"),
                PhoneInput("970 555 0103", "work"),
                PhoneInput("970 555 0104", "other"),  # a fourth: past the three columns
            ],
            emails=[EmailInput("jack@example.com"), EmailInput("jack@work.example", "work")],
            addresses=[AddressInput("1 Main St", "Apt 4", "Fort Collins", "CO", "80521")],
            category_ids=[top.pk],
        )
        Contact.objects.filter(pk=jack.pk).update(
            salutation="Jack & Sandy Smith",
            company="Smith Builders",
            vendor_type="Electrician",
            lead_source="Zillow",
            birthday=date(1970, 5, 6),
        )
        phone_set_status(
            phone=Phone.objects.get(contact=jack, raw="970 555 0102"), status="dnc", actor=None
        )
        ann_lee = _person(world.a, "Ann", "Lee")

        job = _bulk_export(alice, django_capture_on_commit_callbacks, [jack.pk, ann_lee.pk])
        job.refresh_from_db()

        assert (job.kind, job.status, job.percent) == ("contacts.csv_export", "done", 100)
        assert job.result_name.endswith(".csv")
        rows = _rows(_download(alice, job))
        assert [r["First name"] for r in rows] == ["Ann", "Jack"]  # in name order
        row = rows[1]
        assert row["Mailing salutation"] == "Jack & Sandy Smith"
        assert (row["Company"], row["Vendor type"]) == ("Smith Builders", "Electrician")
        assert (row["Phone 1"], row["Phone 1 type"], row["Phone 1 status"]) == (
            "(970) 555-0101",
            "Mobile",
            "OK",
        )
        assert (row["Phone 2"], row["Phone 2 status"]) == ("(970) 555-0102", "DNC (do not call)")
        assert row["Phone 3"] == "(970) 555-0103"
        assert "Phone 4" not in row
        assert (row["Email 1"], row["Email 2"]) == ("jack@example.com", "jack@work.example")
        assert (row["Mailing street"], row["Mailing unit"], row["Mailing city"]) == (
            "1 Main St",
            "Apt 4",
            "Fort Collins",
        )
        assert (row["Mailing state"], row["Mailing postal code"]) == ("CO", "80521")
        assert row["Birthday"] == "1970-05-06"
        assert "Cold" in row["Categories"] and "Top100" in row["Categories"]  # DNC adds Cold
        assert (row["Lead source"], row["Database"]) == ("Zillow", "Contacts")
        assert row["Created"].startswith(str(timezone.localdate().year))

    def test_it_never_exports_another_accounts_people(
        self, alice: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        mine = _person(world.a, "Mine")
        theirs = list(Contact.objects.filter(account=world.b).values_list("pk", flat=True))

        job = _bulk_export(alice, django_capture_on_commit_callbacks, [mine.pk, *theirs])
        assert [r["First name"] for r in _rows(_download(alice, job))] == ["Mine"]

        # Even handed straight to the job, another account's ids come out empty.
        with django_capture_on_commit_callbacks(execute=True):
            job = exports.start_export(
                account=world.a, actor=world.alice, contact_ids=theirs, kind="csv"
            )
        content = _download(alice, job)
        assert _rows(content) == []
        assert b"bravo" not in content.lower()

    def test_it_leaves_out_people_trashed_before_the_job_ran(
        self, alice: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        kept, trashed = _person(world.a, "Kept"), _person(world.a, "Trashed")
        with django_capture_on_commit_callbacks(execute=True):
            job = exports.start_export(
                account=world.a, actor=world.alice, contact_ids=[kept.pk, trashed.pk], kind="csv"
            )
            Contact.objects.filter(pk=trashed.pk).update(deleted_at=timezone.now())
        job.refresh_from_db()

        assert [r["First name"] for r in _rows(_download(alice, job))] == ["Kept"]
        assert "1 no longer in the database" in job.message

    def test_it_keeps_spreadsheet_formulas_from_running(
        self, alice: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        sneaky = _person(world.a, '=HYPERLINK("http://evil.example","Click")', "-Minus")

        job = _bulk_export(alice, django_capture_on_commit_callbacks, [sneaky.pk])
        [row] = _rows(_download(alice, job))

        assert row["First name"] == '\'=HYPERLINK("http://evil.example","Click")'
        assert row["Last name"] == "'-Minus"

    def test_it_reads_people_in_a_fixed_number_of_queries_whatever_their_number(
        self, world: World
    ) -> None:
        def queries_for(count: int) -> int:
            ids = [
                _person(
                    world.a,
                    f"P{n}",
                    phones=[PhoneInput(f"970 555 {n:04d}")],
                    emails=[EmailInput(f"p{n}@example.com")],
                    addresses=[AddressInput(f"{n} Main St", city="Fort Collins")],
                ).pk
                for n in range(count)
            ]
            job = Job.objects.create(
                account=world.a, kind="contacts.csv_export", title="t", params={"ids": ids}
            )
            with CaptureQueriesContext(connection) as captured:
                exports.run_csv_export(job)
            return len(captured)

        assert queries_for(3) == queries_for(30)


class TestVCardExport:
    def test_it_writes_a_vcf_of_everyone_chosen(
        self, alice: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        people = [_person(world.a, name, phones=[PhoneInput("970 555 0100")]) for name in "ABC"]

        job = _bulk_export(
            alice, django_capture_on_commit_callbacks, [p.pk for p in people], "export_vcard"
        )
        job.refresh_from_db()
        text = _download(alice, job).decode("utf-8")

        assert (job.kind, job.result_name[-4:]) == ("contacts.vcard_export", ".vcf")
        assert text.count("BEGIN:VCARD\r\n") == 3
        assert "FN:A Export\r\n" in text
        assert "TEL;TYPE=CELL:+19705550100\r\n" in text

    def test_it_downloads_one_person_as_a_vcf(self, alice: Client, world: World) -> None:
        jack = _person(world.a, "Jack", "Smith", emails=[EmailInput("jack@example.com")])

        response = alice.get(f"/contacts/{jack.pk}/vcard/")

        assert response.status_code == 200
        assert response["Content-Type"] == "text/vcard; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="Jack Smith.vcf"'
        assert b"EMAIL;TYPE=INTERNET,HOME:jack@example.com\r\n" in response.content

    def test_it_names_the_file_after_the_person_whatever_their_alphabet(
        self, alice: Client, world: World
    ) -> None:
        zoe = _person(world.a, "Zoë", "Núñez")
        response = alice.get(f"/contacts/{zoe.pk}/vcard/")
        assert response["Content-Disposition"] == (
            "attachment; filename*=utf-8''Zo%C3%AB%20N%C3%BA%C3%B1ez.vcf"
        )
        assert "FN:Zoë Núñez\r\n" in response.content.decode("utf-8")

    def test_it_answers_404_for_another_accounts_person(self, alice: Client, world: World) -> None:
        theirs = Contact.objects.filter(account=world.b).first()
        assert theirs is not None
        assert alice.get(f"/contacts/{theirs.pk}/vcard/").status_code == 404


class TestWhoMayExport:
    def test_it_refuses_the_bulk_export_to_an_assistant_without_can_export(
        self, ann: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        person = _person(world.a, "Someone")
        for action in ("export_csv", "export_vcard"):
            with django_capture_on_commit_callbacks(execute=True):
                response = ann.post("/contacts/bulk/", {"action": action, "ids": [person.pk]})
            assert response.status_code == 403
        assert not Job.objects.filter(account=world.a, kind__endswith="export").exclude(
            title__startswith="alpha"
        )

    def test_it_refuses_the_single_vcard_to_an_assistant_without_can_export(
        self, ann: Client, world: World
    ) -> None:
        person = _person(world.a, "Someone")
        assert ann.get(f"/contacts/{person.pk}/vcard/").status_code == 403

    def test_it_refuses_the_export_download_to_an_assistant_without_can_export(
        self, alice: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        person = _person(world.a, "Someone")
        job = _bulk_export(alice, django_capture_on_commit_callbacks, [person.pk])
        assert Job.objects.get(pk=job.pk).status == JobStatus.DONE

        ann = login(Client(), world.ann.email)

        assert ann.get(f"/jobs/{job.pk}/download/").status_code == 403
        assert ann.get(f"/jobs/{job.pk}/").status_code == 200  # the page, not the file


def test_it_writes_times_in_the_account_time_zone(world: World) -> None:
    person = _person(world.a, "Late")
    late = timezone.now().replace(hour=5, minute=30) - timedelta(days=1)  # 05:30 UTC
    Contact.objects.filter(pk=person.pk).update(last_contacted_at=late)
    job = Job.objects.create(
        account=world.a, kind="contacts.csv_export", title="t", params={"ids": [person.pk]}
    )

    exports.run_csv_export(job)
    job.refresh_from_db()
    [row] = _rows(job.result_file.read())

    denver = late.astimezone(zoneinfo.ZoneInfo(world.a.time_zone))
    assert row["Last contacted"] == denver.strftime("%Y-%m-%d %H:%M")
