"""The valet import end to end: file order, problem report, replace mode that converges,
undo (merge survivors stay), a crash mid-import, cancel, and the command."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from contacts.models import Address, Contact, Email, Note, Phone
from crm.models import AuditEntry, Category
from prospects import import_writer, valet_import
from prospects.merge import contacts_merge
from prospects.models import ImportRun, Lead, LeadSource
from tests.contacts.people import make_person_in
from tests.world import World

FSBO = (
    "Owner Name,Email,Phone 1,Phone 2,Property Address,Property City,Mailing Address,"
    "Mailing City,Mailing State,Mailing Zip,Lead Source,Tags,Notes\n"
    '"Smith, John",john@example.com,(970) 555-0123,,12 Oak St,Fort Collins,PO Box 5,'
    "Loveland,CO,80537,FSBO,Farm;Hot,asked about commission\n"
    "Mary Jones,not-an-email,970.555.0199,,9 Elm,Denver,,,,,,,\n"
    ",,,,,,,,,,,,\n"
    "Bob Roe,bob@example.com,,,,,,,,,,,,extra cell\n"
    ",orphan@example.com,,,,,,,,,,,\n"
    '=HYPERLINK("http://x"),evil@example.com,,,,,,,,,,,\n'
    "Ann Lee,ann@example.com,303-555-0100,,1 Main,Boulder,1 Main,Boulder,CO,80302,Zillow,,\n"
)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def upload(world: World, data: str | bytes, name: str = "fsbo.csv") -> ImportRun:
    raw = data.encode() if isinstance(data, str) else data
    return valet_import.upload_store(
        account=world.a, actor=world.alice, upload=ContentFile(raw, name=name), profile=None
    )


def run_import(
    world: World, data: str | bytes, *, mode: str = "allow", database: str = "prospects",
    mapping: dict[str, str] | None = None, **extra: Any,
) -> ImportRun:  # fmt: skip
    run = upload(world, data)
    chosen = valet_import.Options.from_json(run.options)
    options = valet_import.Options(
        mapping if mapping is not None else chosen.mapping, database, mode, **extra
    )
    run.options = {**run.options, **valet_import.check_options(world.a, options).as_json()}
    run.save()
    return valet_import.import_run(run)


def imported(run: ImportRun) -> list[Contact]:
    return list(
        Contact.objects.filter(import_changes__run=run, import_changes__created=True).order_by("pk")
    )


def test_allow_mode_creates_everyone_in_file_order_with_details(world: World) -> None:
    run = run_import(world, FSBO)
    assert (run.created_count, run.updated_count, run.skipped_count, run.error_count) == (
        4,
        0,
        1,
        2,
    )
    made = imported(run)
    assert [c.full_name for c in made] == [
        "John Smith", "Mary Jones", '=HYPERLINK("http://x")', "Ann Lee",
    ]  # fmt: skip
    john = made[0]
    assert john.database == "prospects" and john.lead_source == "FSBO"
    assert [p.e164 for p in john.phones.all()] == ["+19705550123"]
    assert [e.address for e in john.emails.all()] == ["john@example.com"]
    mailing = john.addresses.get()
    assert (mailing.street, mailing.city, mailing.postal_code) == ("PO Box 5", "Loveland", "80537")
    lead = Lead.objects.get(contact=john)
    assert (lead.property_street, lead.property_city) == ("12 Oak St", "Fort Collins")
    assert lead.source is not None and lead.source.name == "FSBO"
    assert sorted(john.categories.values_list("name", flat=True)) == ["Farm", "Hot"]
    assert john.notes.filter(body="asked about commission").exists()
    assert "john@example.com" in john.search_text and "9705550123" in john.search_text
    assert AuditEntry.objects.filter(object_id=str(john.pk), action="create").exists()
    mary = made[1]
    assert not mary.emails.exists()
    assert "Email: not-an-email" in mary.notes.get(kind="system").body


def test_the_problem_report_lists_rows_and_reasons_and_defuses_formulas(world: World) -> None:
    run = run_import(world, FSBO)
    report = valet_import.error_csv(run).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(report)))
    assert rows[0][:4] == ["Row", "Outcome", "Problem", "Owner Name"]
    by_row = {int(r[0]): r for r in rows[1:]}
    assert by_row[3][1] == "imported" and "not-an-email" in by_row[3][2]
    assert by_row[3][3] == "Mary Jones"  # a warned row carries its cells too
    assert by_row[5][1] == "skipped" and "14 cells" in by_row[5][2]
    assert by_row[5][3] == "Bob Roe"  # the row's cells, to fix and import again
    assert by_row[6][1] == "skipped" and by_row[6][2].startswith("No name")
    assert 4 not in by_row  # the blank row is skipped without a line


def test_lead_source_and_categories_chosen_for_the_whole_file(world: World) -> None:
    source = LeadSource.objects.get(account=world.a, key="expired")
    category = Category.objects.create(account=world.a, name="Expired list")
    run = run_import(world, FSBO, lead_source_id=source.pk, category_ids=(category.pk,))
    made = imported(run)
    assert made[1].lead_source == "Expired"  # Mary has no source of her own
    assert made[0].lead_source == "FSBO"  # John's own column wins
    assert all(category in c.categories.all() for c in made)


def test_replace_mode_updates_the_matching_person_and_never_blanks(world: World) -> None:
    existing = make_person_in(
        world.a, first="Jon", last="Smith", emails=["john@example.com"], phones=["9705550100"],
        company="Smith Co",
    )  # fmt: skip
    run = run_import(world, FSBO, mode="replace")
    assert run.updated_count == 1 and run.created_count == 3
    existing.refresh_from_db()
    assert existing.first_name == "John" and existing.company == "Smith Co"
    assert sorted(p.e164 for p in existing.phones.all()) == ["+19705550100", "+19705550123"]
    assert existing.database == "contacts"  # a person you know stays where they are
    assert Lead.objects.get(contact=existing).property_street == "12 Oak St"


def test_replace_mode_converges_when_the_same_file_is_run_again(world: World) -> None:
    first = run_import(world, FSBO, mode="replace")
    counts = {
        m: m.objects.filter(account=world.a).count()
        for m in (Contact, Phone, Email, Address, Note, Lead)
    }
    again = run_import(world, FSBO, mode="replace")
    assert (again.created_count, again.updated_count) == (0, 0)
    assert again.skipped_count == first.created_count + first.updated_count + first.skipped_count
    assert counts == {m: m.objects.filter(account=world.a).count() for m in counts}


def test_replace_mode_folds_repeats_inside_one_file(world: World) -> None:
    data = "Name,Email,Phone\nAnn Lee,ann@example.com,\nAnn Lee,ann@example.com,303-555-0100\n"
    run = run_import(world, data, mode="replace")
    assert (run.created_count, run.updated_count) == (1, 1)
    ann = imported(run)[0]
    assert [p.e164 for p in ann.phones.all()] == ["+13035550100"]


def test_undo_trashes_the_created_and_restores_the_replaced(world: World) -> None:
    existing = make_person_in(world.a, first="Jon", last="Smith", emails=["john@example.com"])
    alive = Contact.objects.filter(account=world.a, deleted_at__isnull=True)
    before = alive.count()
    run = run_import(world, FSBO, mode="replace")
    made = imported(run)
    valet_import.undo_run(run)
    existing.refresh_from_db()
    assert existing.first_name == "Jon"
    assert not Lead.objects.filter(contact=existing).exists()
    assert [e.address for e in existing.emails.all()] == ["john@example.com"]
    assert alive.count() == before
    assert all(
        c.deleted_at is not None for c in Contact.objects.filter(pk__in=[m.pk for m in made])
    )
    run.refresh_from_db()
    assert run.undone_at is not None


def test_undo_keeps_people_worked_on_since(world: World) -> None:
    from contacts.services import note_add

    run = run_import(world, FSBO)
    john, mary = imported(run)[:2]
    note_add(contact=john, actor=world.alice, body="Called: wants a CMA next week")
    removed, _restored, kept = valet_import.undo_run(run)
    john.refresh_from_db()
    mary.refresh_from_db()
    assert kept == 1 and removed == 3
    assert john.deleted_at is None and john.notes.filter(body__startswith="Called").exists()
    assert mary.deleted_at is not None


def test_undo_keeps_a_person_who_has_since_been_merged(world: World) -> None:
    run = run_import(world, FSBO)
    john, mary = imported(run)[:2]
    other = make_person_in(world.a, first="John", last="Smith")
    contacts_merge(survivor=john, others=[other], field_values={}, actor=world.alice)
    removed, _restored, kept = valet_import.undo_run(run)
    assert kept == 1 and removed == 3
    assert Contact.objects.get(pk=john.pk).deleted_at is None
    assert Contact.objects.get(pk=mary.pk).deleted_at is not None


def test_a_crash_mid_import_leaves_no_half_person_and_a_rerun_resumes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = "".join(f"Person{n} Test,p{n}@example.com,970555{n:04d}\n" for n in range(25))
    data = "Name,Email,Phone\n" + rows
    monkeypatch.setattr(import_writer, "BATCH", 10)
    real = import_writer.insert_many
    calls = {"n": 0}

    def flaky(model: Any, rows: Any, **kwargs: Any) -> Any:
        if model is Email:
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("worker killed")
        return real(model, rows, **kwargs)

    monkeypatch.setattr(import_writer, "insert_many", flaky)
    run = upload(world, data)
    with pytest.raises(RuntimeError):
        valet_import.import_run(run)
    run.refresh_from_db()
    assert run.rows_done == 10 and run.created_count == 10
    made = imported(run)
    assert len(made) == 10 and all(c.emails.count() == 1 for c in made)
    valet_import.import_run(run)  # the worker picks the job up again
    run.refresh_from_db()
    assert run.created_count == 25 and run.rows_done == 25
    assert [c.first_name for c in imported(run)] == [f"Person{n}" for n in range(25)]


def test_cancel_stops_between_batches(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_writer, "BATCH", 5)
    data = "Name\n" + "".join(f"P{n} Q\n" for n in range(20))
    run = upload(world, data)
    valet_import.import_cancel(run)
    run = valet_import.import_run(run)
    assert run.cancel_requested and run.created_count == 5


def test_header_only_and_empty_files_are_refused_with_a_message(world: World) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="no people"):
        upload(world, "Name,Email\n")
    with pytest.raises(ValidationError, match="empty"):
        upload(world, "")


def test_without_a_name_column_the_import_will_not_start(world: World) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="name"):
        run_import(world, FSBO, mapping={"Email": "email"})


# ---- the command ----------------------------------------------------------------------------


def test_command_prints_counts_last_and_creates_in_file_order(world: World, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("First;Last;Cell\nAnn;Lee;970 555 0101\nBob;Roe;970 555 0102\n", "cp1252")
    out = io.StringIO()
    call_command("valet_import", str(path), account=world.a.pk, mode="allow",
                 database="contacts", stdout=out)  # fmt: skip
    assert out.getvalue().strip().splitlines()[-1] == "created=2 updated=0 skipped=0 errors=0"
    made = list(
        Contact.objects.filter(account=world.a, last_name__in=["Lee", "Roe"]).order_by("pk")
    )
    assert [c.first_name for c in made] == ["Ann", "Bob"] and made[0].database == "contacts"


def test_command_takes_a_json_mapping_and_a_profile(world: World, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Col A,Col B\nLee,ann@example.com\n")
    out = io.StringIO()
    call_command("valet_import", str(path), account=world.a.pk, stdout=out,
                 mapping='{"Col A": "last_name", "Col B": "email"}', mode="replace")  # fmt: skip
    assert out.getvalue().strip().endswith("created=1 updated=0 skipped=0 errors=0")
    vcf = tmp_path / "phone.vcf"
    vcf.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Ann;;;\r\nEMAIL:ann@example.com\r\nEND:VCARD\r\n"
    )
    out = io.StringIO()
    call_command("valet_import", str(vcf), account=world.a.pk, profile="vCard file",
                 mode="replace", stdout=out)  # fmt: skip
    assert out.getvalue().strip().endswith("created=0 updated=1 skipped=0 errors=0")
