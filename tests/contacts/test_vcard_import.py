"""Importing a .vcf file: upload, a worker job with progress, people created, a problem report."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from contacts import imports
from contacts.models import Contact, Note
from contacts.selectors import with_row_data
from crm.models import Category, Job, JobStatus
from tests.conftest import login
from tests.contacts.vcard_samples import ANDROID_21, GOOGLE, IPHONE, make_varied_people, snapshot
from tests.helpers import body_of
from tests.world import World

NO_NAME = "BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:970 555 0100\r\nEND:VCARD\r\n"
BAD_EMAIL = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Lee Park\r\nEMAIL:lee@\r\nEND:VCARD\r\n"
CUT_OFF = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut Off\r\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _upload(text: str | bytes, name: str = "contacts.vcf") -> SimpleUploadedFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/vcard")


def _import(client: Client, capture: Any, text: str | bytes, **fields: Any) -> Job:
    with capture(execute=True):
        response = client.post(
            "/contacts/import/vcard/",
            {"file": _upload(text), "database": "contacts", **fields},
        )
    assert response.status_code == 302, body_of(response).decode()[:2000]
    job = Job.objects.get(pk=int(response["Location"].strip("/").rsplit("/", 1)[-1]))
    return job


def _people(world: World, **filters: Any) -> Any:
    return Contact.objects.filter(account=world.a, **filters)


def _report(client: Client, job: Job) -> list[dict[str, str]]:
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(body_of(response).decode("utf-8-sig"))))


class TestUploadPage:
    def test_it_shows_the_form_with_the_accounts_categories(
        self, alice: Client, world: World
    ) -> None:
        html = alice.get("/contacts/import/vcard/").content.decode()

        assert 'enctype="multipart/form-data"' in html
        assert "alpha farm" in html
        assert "bravo" not in html

    def test_it_refuses_a_file_that_is_not_a_vcard_and_keeps_the_choices(
        self, alice: Client, world: World, tmp_path: Path
    ) -> None:
        jobs_before = Job.objects.count()
        response = alice.post(
            "/contacts/import/vcard/",
            {"file": _upload("name,phone\nJack,555\n", "people.csv"), "database": "prospects"},
        )

        assert response.status_code == 200
        assert "This is not a vCard file" in response.content.decode()
        assert '<option value="prospects" selected>' in response.content.decode()
        assert Job.objects.count() == jobs_before
        assert not (tmp_path / "imports").exists()

    def test_it_refuses_an_empty_file(self, alice: Client, world: World) -> None:
        response = alice.post(
            "/contacts/import/vcard/", {"file": _upload(b"  \r\n"), "database": "contacts"}
        )
        assert response.status_code == 200
        assert "The file is empty." in response.content.decode()

    def test_it_does_not_take_another_accounts_categories(
        self, alice: Client, world: World
    ) -> None:
        theirs = Category.objects.filter(account=world.b).first()
        assert theirs is not None
        jobs_before = Job.objects.count()

        response = alice.post(
            "/contacts/import/vcard/",
            {"file": _upload(GOOGLE), "database": "contacts", "categories": [theirs.pk]},
        )

        assert response.status_code == 200
        assert Job.objects.count() == jobs_before


class TestImportJob:
    def test_it_creates_people_with_progress_and_lists_the_bad_cards(
        self, alice: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        sphere = Category.objects.get(account=world.a, key="sphere")
        text = IPHONE + NO_NAME + ANDROID_21 + GOOGLE + BAD_EMAIL + CUT_OFF

        job = _import(alice, django_capture_on_commit_callbacks, text, categories=[sphere.pk])
        job.refresh_from_db()

        assert (job.kind, job.status, job.percent) == ("contacts.vcard_import", "done", 100)
        assert job.done == job.total == 7
        assert job.message.startswith("Created 5 people; skipped 2 cards")
        assert 'aria-valuenow="100"' in alice.get(f"/jobs/{job.pk}/").content.decode()

        johnny = _people(world, first_name="Johnny Q.").get()
        assert [(p.e164, p.label) for p in johnny.phones.all()] == [
            ("+19705550123", "mobile"),
            ("+19705550199", "home"),
            ("+13035550100", "mobile"),
            ("+13035550101", "other"),
        ]
        assert sorted(c.name for c in johnny.categories.all()) == ["Christmas", "Sphere", "Top100"]
        assert johnny.birthday is not None and (johnny.birthday.month, johnny.birthday.day) == (
            3,
            4,
        )
        assert Note.objects.get(contact=johnny).body == (
            "Met at the open house, 12 Elm St.\nLikes blue."
        )
        joerg = _people(world, last_name="Müller").get()
        assert [p.e164 for p in joerg.phones.all()] == [
            "+491701234567",
            "+19705550142",
            "+19705550143",
        ]
        assert sorted(c.name for c in joerg.categories.all()) == ["Buyers", "Relocation", "Sphere"]
        acme = _people(world, company="Acme Plumbing").get()
        assert acme.database == "contacts"
        assert not Category.objects.filter(account=world.a, name__iexact="mycontacts").exists()

        report = _report(alice, job)
        assert [(r["Card"], r["Outcome"]) for r in report] == [
            ("2", "skipped"),
            ("6", "imported"),
            ("7", "skipped"),
        ]
        assert report[0]["Problem"] == "No name or company on the card."
        assert report[1]["Name"] == "Lee Park"
        assert "lee@" in report[1]["Problem"]
        assert "END:VCARD" in report[2]["Problem"]
        assert report[2]["Line"] == str(len((text[: text.index(CUT_OFF)]).split("\r\n")))

    def test_it_fills_the_prospects_database_when_asked(
        self, alice: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        job = _import(alice, django_capture_on_commit_callbacks, GOOGLE, database="prospects")
        job.refresh_from_db()

        assert job.message == "Created 2 people; skipped 0 cards"
        assert not job.result_file  # no problems, no report
        sandy = _people(world, first_name="Sandy", last_name="Smith").get()
        assert sandy.database == "prospects"

    def test_it_makes_a_category_the_file_names_only_once(
        self, alice: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        card = "BEGIN:VCARD\nVERSION:3.0\nFN:{}\nCATEGORIES:Lake Farm\nEND:VCARD\n"
        text = card.format("One Person") + card.format("Two Person")
        _import(alice, django_capture_on_commit_callbacks, text)

        lake = Category.objects.get(account=world.a, name="Lake Farm")
        assert lake.contacts.count() == 2

    def test_it_lets_an_assistant_import_and_read_the_report(
        self, ann: Client, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        job = _import(ann, django_capture_on_commit_callbacks, NO_NAME + GOOGLE)
        assert [r["Card"] for r in _report(ann, job)] == ["1"]

    def test_it_resumes_after_a_worker_restart_without_creating_anyone_twice(
        self, world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
    ) -> None:
        card = "BEGIN:VCARD\nVERSION:3.0\nFN:Person {}\nEND:VCARD\n"
        text = "".join(card.format(n) for n in range(1, 5))
        with django_capture_on_commit_callbacks(execute=False):  # no worker yet
            job = imports.vcard_import_start(
                account=world.a, actor=world.alice, upload=_upload(text)
            )
        monkeypatch.setattr(imports, "CHECKPOINT", 1)
        real = imports._import_card
        calls = []

        class WorkerDied(BaseException):
            pass

        def dies_on_the_third(*args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            if len(calls) == 3:
                raise WorkerDied
            return real(*args, **kwargs)

        monkeypatch.setattr(imports, "_import_card", dies_on_the_third)
        with pytest.raises(WorkerDied):
            imports.vcard_import_run(job)
        job.refresh_from_db()
        assert job.done == 2
        assert _people(world, first_name="Person").count() == 2

        monkeypatch.setattr(imports, "_import_card", real)
        imports.vcard_import_run(job)  # the broker delivers the task again
        job.refresh_from_db()

        assert sorted(_people(world, first_name="Person").values_list("last_name", flat=True)) == [
            "1",
            "2",
            "3",
            "4",
        ]
        assert (job.status, job.message) == (JobStatus.DONE, "Created 4 people; skipped 0 cards")


def test_it_gives_the_same_people_after_a_vcard_export_and_an_import(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """The round trip through the product: alice exports, carl imports into his account."""
    originals = make_varied_people(world.a)
    alice = login(client, world.alice.email)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.post(
            "/contacts/bulk/", {"action": "export_vcard", "ids": [p.pk for p in originals]}
        )
    export = Job.objects.get(pk=int(response["Location"].strip("/").rsplit("/", 1)[-1]))
    vcf = body_of(alice.get(f"/jobs/{export.pk}/download/"))

    carl = login(Client(), world.carl.email)
    before = set(Contact.objects.filter(account=world.c).values_list("pk", flat=True))
    job = _import(carl, django_capture_on_commit_callbacks, vcf)
    job.refresh_from_db()

    assert job.message.startswith("Created 3 people; skipped 0 cards")
    [warning] = _report(carl, job)  # a phone kept as typed, as the record also shows
    assert (
        warning["Problem"]
        == "Kept “call the front desk” as typed: it does not look like a phone number."
    )
    copies = with_row_data(Contact.objects.filter(account=world.c).exclude(pk__in=before))
    people = with_row_data(Contact.objects.filter(pk__in=[p.pk for p in originals]))

    def key(c: Contact) -> tuple[str, str, str]:
        return c.first_name, c.last_name, c.company

    assert [snapshot(c) for c in sorted(copies, key=key)] == [
        snapshot(c) for c in sorted(people, key=key)
    ]
