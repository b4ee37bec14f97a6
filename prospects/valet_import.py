"""The valet import: upload a file, map its columns, preview, import in the worker, undo.

The upload is stored first (an ImportRun with no job yet); starting it hands the run to
the worker, which streams the file a batch at a time. Each batch commits together with
the run's counters and the row it reached, so a crash or a worker restart resumes where
it stopped and never leaves half a person; a cancel stops between batches.
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from contacts.exports import spreadsheet_cell
from contacts.models import Address as AddressRow
from contacts.models import Contact, ContactCategory, Database, Email, Note, Phone
from contacts.services import contacts_trash, refresh_search
from crm.jobs import finish, job_start, progress
from crm.models import Account, Category, Job, User
from prospects import import_files, import_mapping, import_writer
from prospects.import_files import FileInfo, FileProblem, Row
from prospects.import_mapping import ImportPerson
from prospects.import_writer import Lookups, Prepared, Settings
from prospects.models import (
    DuplicateMode,
    ImportChange,
    ImportProblem,
    ImportProfile,
    ImportRun,
    Lead,
    LeadSource,
    Merge,
)

log = logging.getLogger(__name__)

KIND = "prospects.valet_import"
UNDO_KIND = "prospects.valet_import_undo"
MAX_BYTES = 200 * 1024 * 1024
PREVIEW_ROWS = 10
ERROR_HEADER = ["Row", "Outcome", "Problem"]


@dataclass(frozen=True)
class Options:
    mapping: dict[str, str]
    database: str = Database.PROSPECTS
    mode: str = DuplicateMode.ALLOW
    lead_source_id: int | None = None
    category_ids: tuple[int, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "mapping": self.mapping,
            "database": self.database,
            "mode": self.mode,
            "lead_source_id": self.lead_source_id,
            "category_ids": list(self.category_ids),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Options:
        return cls(
            mapping=dict(data.get("mapping") or {}),
            database=data.get("database") or Database.PROSPECTS,
            mode=data.get("mode") or DuplicateMode.ALLOW,
            lead_source_id=data.get("lead_source_id"),
            category_ids=tuple(data.get("category_ids") or ()),
        )

    @classmethod
    def from_profile(cls, profile: ImportProfile) -> Options:
        return cls(
            mapping=dict(profile.mapping),
            database=profile.database,
            mode=profile.mode,
            lead_source_id=profile.lead_source_id,
            category_ids=tuple(profile.category_ids),
        )


def check_options(account: Account, options: Options) -> Options:
    """Options with everything checked against the account; a clear message otherwise."""
    if options.database not in Database.values:
        raise ValidationError({"database": "Choose the contacts or the prospects database."})
    if options.mode not in DuplicateMode.values:
        raise ValidationError({"mode": "Choose allow or replace."})
    if not options.mapping:
        raise ValidationError("Map at least one column to a field.")
    keys = set(options.mapping.values())
    if not keys & {"first_name", "last_name", "full_name", "company"}:
        raise ValidationError("Map a column to a name (first, last or full name) or company.")
    source_id = options.lead_source_id
    if source_id and not LeadSource.objects.for_account(account).filter(pk=source_id).exists():
        raise ValidationError({"lead_source": "Choose a lead source of this account."})
    category_ids = tuple(
        Category.objects.for_account(account)
        .filter(pk__in=list(options.category_ids))
        .values_list("pk", flat=True)
    )
    return Options(options.mapping, options.database, options.mode, source_id, category_ids)


# ---- upload and preview ---------------------------------------------------------------


def _open(run: ImportRun) -> IO[bytes]:
    return default_storage.open(run.stored_file.name or "", "rb")


def file_info(run: ImportRun) -> FileInfo:
    info = run.options.get("file")
    if info:
        return FileInfo(**info)
    with _open(run) as stream:
        return import_files.inspect(stream, run.filename)


def upload_store(
    *, account: Account, actor: User | None, upload: File, profile: ImportProfile | None
) -> ImportRun:
    """Keep the upload and read its header; a file that cannot be read is refused here,
    with what to do about it."""
    if upload.size and upload.size > MAX_BYTES:
        raise ValidationError({"file": f"Files up to {MAX_BYTES // (1024 * 1024)} MB, please."})
    stream: IO[bytes] = upload.file  # type: ignore[assignment]
    try:
        info = import_files.inspect(stream, upload.name or "")
        stream.seek(0)
        header, rows = import_files.header_and_rows(stream, info)
        has_rows = any(any(r.cells) or r.problem for r in rows)
    except FileProblem as exc:
        raise ValidationError({"file": str(exc)}) from exc
    if not has_rows:
        raise ValidationError({"file": "The file has a header row but no people under it."})
    stream.seek(0)
    name = (upload.name or "import.csv").rsplit("/", 1)[-1][:200]
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else "csv"
    run = ImportRun(account=account, profile=profile, filename=name, created_by=actor)
    run.stored_file.save(f"{account.pk}-{uuid.uuid4().hex}.{suffix[:5]}", upload, save=False)
    options = Options.from_profile(profile) if profile else Options(mapping={})
    mapping = import_mapping.clean_mapping(options.mapping, header)
    # Seeded layouts, and a saved profile that matches none of this file's columns:
    # the columns it does not name are mapped by their header names.
    if profile is None or profile.key or not mapping:
        suggested = import_mapping.suggest_mapping(header)
        taken = set(mapping.values())
        for column, key in suggested.items():
            if column not in mapping and key not in taken:
                mapping[column] = key
                taken.add(key)
    run.options = {
        **Options(mapping, options.database, options.mode, options.lead_source_id,
                  options.category_ids).as_json(),
        "file": _info_json(info),
        "header": header,
    }  # fmt: skip
    run.save()
    return run


def _info_json(info: FileInfo) -> dict[str, str]:
    return {"kind": info.kind, "encoding": info.encoding, "delimiter": info.delimiter}


def _row_values(header: list[str], mapping: dict[str, str], row: Row) -> dict[str, str] | str:
    """Field key -> cell text, or why the row cannot be used."""
    if row.problem:
        return row.problem
    cells = row.cells
    if len(cells) > len(header) and any(cells[len(header) :]):
        return f"Has {len(cells)} cells but the header names {len(header)} columns."
    index = {name: i for i, name in enumerate(header)}
    return {
        key: cells[index[column]] if index[column] < len(cells) else ""
        for column, key in mapping.items()
        if column in index
    }


def people(
    stream: IO[bytes], info: FileInfo, mapping: dict[str, str]
) -> Iterator[tuple[Row, ImportPerson]]:
    """Every data row with the person it becomes (``problem`` set when it cannot)."""
    header, rows = import_files.header_and_rows(stream, info)
    mapping = import_mapping.clean_mapping(mapping, header)
    for row in rows:
        values = _row_values(header, mapping, row)
        if isinstance(values, str):
            yield row, ImportPerson(row=row.number, problem=values, cells=row.cells)
        else:
            person = import_mapping.build_person(row.number, values)
            person.cells = row.cells
            yield row, person


def preview(
    run: ImportRun, mapping: dict[str, str], limit: int = PREVIEW_ROWS
) -> list[ImportPerson]:
    """The first rows as they will be stored."""
    found = []
    with _open(run) as stream:
        for _row, person in people(stream, file_info(run), mapping):
            if person.problem == "empty":
                continue
            found.append(person)
            if len(found) >= limit:
                break
    return found


def import_start(
    *, run: ImportRun, actor: User | None, options: Options, save_as: str = ""
) -> ImportRun:
    """Check the choices, save them as a profile when asked, and start the worker."""
    if run.job_id:
        raise ValidationError("This file is already being imported.")
    account = run.account
    options = check_options(account, options)
    header = run.options.get("header") or []
    mapping = import_mapping.clean_mapping(options.mapping, header)
    options = Options(mapping, options.database, options.mode, options.lead_source_id,
                      options.category_ids)  # fmt: skip
    with transaction.atomic():
        if save_as.strip():
            run.profile = profile_save(account=account, name=save_as, options=options)
        run.options = {**run.options, **options.as_json()}
        run.job = job_start(
            account=account,
            actor=actor,
            kind=KIND,
            title=f"Import {run.filename}"[:200],
            params={"run": run.pk},
            total=estimate_rows(run),
        )
        run.save(update_fields=["profile", "options", "job"])
    return run


def profile_save(*, account: Account, name: str, options: Options) -> ImportProfile:
    """A new profile, or the same-named one updated: it becomes a menu item."""
    name = " ".join(name.split())[:80]
    if not name:
        raise ValidationError({"save_as": "Give the profile a name."})
    profile = ImportProfile.objects.for_account(account).filter(name__iexact=name).first()
    profile = profile or ImportProfile(account=account, name=name)
    profile.mapping = options.mapping
    profile.database, profile.mode = options.database, options.mode
    profile.lead_source_id = options.lead_source_id
    profile.category_ids = list(options.category_ids)
    profile.save()
    return profile


def estimate_rows(run: ImportRun) -> int:
    """Data rows, counted cheaply for the progress bar (line breaks, or the sheet size)."""
    info = file_info(run)
    with _open(run) as stream:
        if info.kind == "xlsx":
            from openpyxl import load_workbook

            book = load_workbook(stream, read_only=True)
            try:
                return max((book.worksheets[0].max_row or 1) - 1, 0)
            finally:
                book.close()
        if info.kind == "vcard":
            return sum(
                chunk.upper().count(b"BEGIN:VCARD")
                for chunk in iter(lambda: stream.read(1 << 20), b"")
            )
        lines, last = 0, b"\n"
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
        return max(lines + (last != b"\n") - 1, 0)


# ---- the worker side ------------------------------------------------------------------------


@dataclass
class Batch:
    """Rows waiting to be written together."""

    items: list[Prepared]
    problems: list[ImportProblem]
    skipped: int = 0

    @classmethod
    def empty(cls) -> Batch:
        return cls([], [], 0)

    def __len__(self) -> int:
        return len(self.items) + len(self.problems) + self.skipped


def _problem(run: ImportRun, row: Row, outcome: str, text: str) -> ImportProblem:
    return ImportProblem(account_id=run.account_id, run=run, row_number=row.number,
                         outcome=outcome, problem=text, cells=row.cells)  # fmt: skip


def _split_for_replace(
    account_id: int, items: list[Prepared]
) -> tuple[list[Prepared], list[tuple[int, Prepared]], list[Prepared]]:
    """(new, (person id, row) to update, the rest): the rest starts at the first row that
    repeats a person already taken, and waits until the rows before it are written."""
    found = import_writer.find_existing(account_id, items)
    new: list[Prepared] = []
    replace: list[tuple[int, Prepared]] = []
    seen: set[str] = set()
    targets: set[int] = set()
    for position, item in enumerate(items):
        keys = import_writer.match_keys(item)
        target = next((found[k] for k in keys if k in found), None)
        if seen & set(keys) or (target is not None and target in targets):
            return new, replace, items[position:]
        seen.update(keys)
        if target is None:
            new.append(item)
        else:
            targets.add(target)
            replace.append((target, item))
    return new, replace, []


def _write(batch: Batch, settings: Settings, rows_done: int, replace: bool) -> None:
    """One batch, its problems and the run's checkpoint, in one transaction."""
    run = settings.run
    created = updated = unchanged = 0
    with transaction.atomic():
        pending = batch.items
        while pending:
            if replace:
                new, matched, pending = _split_for_replace(run.account_id, pending)
            else:
                new, matched, pending = pending, [], []
            created += len(import_writer.create_people(new, settings))
            changed, same = import_writer.replace_people(matched, settings)
            updated, unchanged = updated + changed, unchanged + len(same)
        for item in batch.items:
            if item.person.warnings:
                batch.problems.append(
                    ImportProblem(
                        account_id=run.account_id,
                        run=run,
                        row_number=item.person.row,
                        outcome="imported",
                        problem=" ".join(item.person.warnings),
                        cells=item.person.cells,
                    )
                )
        ImportProblem.objects.bulk_create(batch.problems, batch_size=2000)
        run.created_count += created
        run.updated_count += updated
        run.skipped_count += batch.skipped + unchanged
        run.error_count += sum(1 for p in batch.problems if p.outcome == "skipped")
        run.rows_done = rows_done
        ImportRun.objects.filter(pk=run.pk).update(
            created_count=run.created_count, updated_count=run.updated_count,
            skipped_count=run.skipped_count, error_count=run.error_count, rows_done=rows_done,
        )  # fmt: skip
        if run.job is not None:
            progress(run.job, rows_done, message=summary(run))


def summary(run: ImportRun) -> str:
    return (
        f"created={run.created_count} updated={run.updated_count} "
        f"skipped={run.skipped_count} errors={run.error_count}"
    )


def import_run(run: ImportRun) -> ImportRun:
    """Import the file, resuming after ``run.rows_done`` rows; returns the finished run."""
    options = Options.from_json(run.options)
    settings = Settings(run, options.database, list(options.category_ids),
                        options.lead_source_id, run.created_by)  # fmt: skip
    lookups = Lookups.load(run.account)
    replace = options.mode == DuplicateMode.REPLACE
    batch, done = Batch.empty(), 0
    with _open(run) as stream:
        for row, person in people(stream, file_info(run), options.mapping):
            done += 1
            if done <= run.rows_done:
                continue  # written before a restart
            if person.problem == "empty":
                batch.skipped += 1
            elif person.problem:
                batch.problems.append(_problem(run, row, "skipped", person.problem))
            else:
                batch.items.append(import_writer.prepare(person, lookups, settings))
            if len(batch) >= import_writer.BATCH:
                _write(batch, settings, done, replace)
                batch = Batch.empty()
                if ImportRun.objects.filter(pk=run.pk, cancel_requested=True).exists():
                    run.refresh_from_db()
                    return run
    _write(batch, settings, done, replace)
    return run


def import_job(job: Job) -> None:
    run = ImportRun.objects.for_account(job.account_id).get(pk=job.params["run"])
    run = import_run(run)
    cancelled = run.cancel_requested
    message = ("Cancelled. " if cancelled else "") + describe(run)
    if run.error_count or ImportProblem.objects.filter(run=run).exists():
        finish(job, filename=f"import-problems-{run.pk}.csv", content=error_csv(run),
               message=message)  # fmt: skip
    else:
        finish(job, message=message)


def describe(run: ImportRun) -> str:
    return (
        f"{run.created_count:,} created, {run.updated_count:,} updated, "
        f"{run.skipped_count:,} skipped, {run.error_count:,} with errors"
    )


def error_csv(run: ImportRun) -> bytes:
    """Row number and reason for every row skipped or taken with a warning, with the row's
    cells so it can be fixed and imported again."""
    header = run.options.get("header") or []
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([*ERROR_HEADER, *header])
    for problem in ImportProblem.objects.filter(run=run).order_by("row_number", "id").iterator():
        cells = [spreadsheet_cell(c) for c in problem.cells]
        writer.writerow(
            [problem.row_number, problem.outcome, spreadsheet_cell(problem.problem), *cells]
        )
    return buffer.getvalue().encode("utf-8")


def import_cancel(run: ImportRun) -> None:
    ImportRun.objects.filter(pk=run.pk).update(cancel_requested=True)


# ---- undo -------------------------------------------------------------------------------------


def undo_start(*, run: ImportRun, actor: User | None) -> ImportRun:
    if run.undone_at or run.undo_job_id:
        raise ValidationError("This import has already been undone.")
    if run.job is None or not run.job.is_finished:
        raise ValidationError("Wait for the import to finish (or cancel it) before undoing it.")
    with transaction.atomic():
        run.undo_job = job_start(account=run.account, actor=actor, kind=UNDO_KIND,
                                 title=f"Undo import of {run.filename}"[:200],
                                 params={"run": run.pk},
                                 total=ImportChange.objects.filter(run=run).count())  # fmt: skip
        run.save(update_fields=["undo_job"])
    return run


def _merged_people(account_id: int, ids: list[int]) -> set[int]:
    """Of these people, those a merge since joined with others: undo keeps them."""
    kept: set[int] = set(
        Contact.objects.for_account(account_id)
        .filter(pk__in=ids, merged_into__isnull=False)
        .values_list("pk", flat=True)
    )
    for survivor_id, absorbed in (
        Merge.objects.for_account(account_id)
        .filter(undone_at__isnull=True)
        .values_list("survivor_id", "absorbed_ids")
    ):
        kept.add(survivor_id)
        kept.update(absorbed)
    return kept & set(ids)


def _worked_on_since(account_id: int, ids: list[int]) -> set[int]:
    """Of these people, those someone has worked on since the import made them: a note
    newer than the person (the import's own notes share the person's timestamp) or a
    logged contact. Undo leaves them be."""
    touched = set(
        Contact.objects.for_account(account_id)
        .filter(pk__in=ids, last_contacted_at__isnull=False)
        .values_list("pk", flat=True)
    )
    touched |= set(
        Note.objects.for_account(account_id)
        .filter(contact_id__in=ids, created_at__gt=F("contact__created_at"))
        .values_list("contact_id", flat=True)
    )
    return touched


def undo_run(run: ImportRun, job: Job | None = None) -> tuple[int, int, int]:
    """Move who the import created to the trash (restorable for 30 days) and put back
    what it replaced, newest first. People merged since, or worked on since (a note, a
    logged call), stay where they are. Returns (removed, restored, kept)."""
    changes = ImportChange.objects.filter(run=run).order_by("-row_number", "-id")
    created_ids = list(
        changes.filter(created=True, contact__isnull=False).values_list("contact_id", flat=True)
    )
    kept = _merged_people(run.account_id, created_ids)
    kept |= _worked_on_since(run.account_id, created_ids)
    removed = restored = done = 0
    doomed = [pk for pk in created_ids if pk not in kept]
    for start in range(0, len(doomed), import_writer.BATCH):
        with transaction.atomic():
            chunk = doomed[start : start + import_writer.BATCH]
            people = Contact.objects.for_account(run.account_id).alive().filter(pk__in=chunk)
            removed += contacts_trash(contacts=people, actor=run.created_by)
            done += len(chunk)
            if job:
                progress(job, done, message=f"{removed:,} moved to the trash")
    for change in changes.filter(created=False).select_related("contact").iterator():
        with transaction.atomic():
            if change.contact is not None:
                _restore(change)
                restored += 1
            done += 1
    run.undone_at = timezone.now()
    run.save(update_fields=["undone_at"])
    return removed, restored, len(kept)


def _restore(change: ImportChange) -> None:
    contact, before, account_id = change.contact, change.before, change.account_id
    assert contact is not None
    scoped = Q(account_id=account_id, contact=contact)
    if before.get("fields"):
        for name, value in before["fields"].items():
            setattr(contact, name, value)
        contact.save(update_fields=[*before["fields"], "updated_at"])
    for model, key in ((Phone, "phones"), (Email, "emails"), (ContactCategory, "categories"),
                       (Note, "notes")):  # fmt: skip
        if before.get(key):
            for row in model.objects.filter(scoped, pk__in=before[key]):  # type: ignore[attr-defined]
                row.delete()
    address = before.get("address") or {}
    if "added" in address:
        AddressRow.objects.filter(scoped, pk=address["added"]).delete()
    elif "id" in address:
        mailing = AddressRow.objects.filter(scoped, pk=address["id"]).first()
        if mailing is not None:
            for name, value in address["values"].items():
                setattr(mailing, name, value)
            mailing.save()
    lead = before.get("lead") or {}
    if "added" in lead:
        Lead.objects.filter(scoped, pk=lead["added"]).delete()
    elif "id" in lead:
        found = Lead.objects.filter(scoped, pk=lead["id"]).first()
        if found is not None:
            for name, value in lead["values"].items():
                setattr(found, name, value)
            found.save(update_fields=list(lead["values"]))
    refresh_search(contact)


def undo_job(job: Job) -> None:
    run = ImportRun.objects.for_account(job.account_id).get(pk=job.params["run"])
    removed, restored, kept = undo_run(run, job)
    message = f"Undone: {removed:,} moved to the trash, {restored:,} restored"
    if kept:
        message += f"; {kept:,} kept because they were merged or worked on since"
    finish(job, message=message)


def column_samples(run: ImportRun, rows: int = PREVIEW_ROWS) -> dict[str, str]:
    """An example value per column (the first non-blank in the first rows), so the
    person mapping sees what a column holds, not only its name."""
    samples: dict[str, str] = {}
    with _open(run) as stream:
        header, data = import_files.header_and_rows(stream, file_info(run))
        for count, row in enumerate(data):
            for name, cell in zip(header, row.cells, strict=False):
                if cell and name not in samples:
                    samples[name] = cell[:60]
            if count + 1 >= rows or len(samples) == len(header):
                break
    return samples


def recent_runs(account: Account, limit: int = 20) -> list[ImportRun]:
    return list(
        ImportRun.objects.for_account(account)
        .select_related("job", "undo_job", "created_by", "profile")
        .order_by("-created_at")[:limit]
    )
