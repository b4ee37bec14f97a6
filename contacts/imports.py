"""Imports of people from .vcf files: the upload is stored first, then a worker job parses
it and creates the people with a progress bar, ending with a problem report.

The job records how far it got in the same transaction as the people it created, so a
worker restart resumes where it stopped instead of creating anyone twice.
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction

from contacts import services, vcard
from contacts.exports import spreadsheet_cell
from contacts.models import Database
from crm.jobs import finish, job_start, progress
from crm.models import Account, Category, Job, User
from crm.services import category_create

log = logging.getLogger(__name__)

KIND = "contacts.vcard_import"
CHECKPOINT = 200  # cards per transaction (and per progress tick)
REPORT_HEADER = ["Card", "Line", "Name", "Problem", "Outcome"]
# Google puts everyone in "myContacts": a system group, not a category anyone chose.
IGNORED_CATEGORIES = {"mycontacts"}


def vcard_import_start(
    *,
    account: Account,
    actor: User | None,
    upload: UploadedFile,
    database: str = Database.CONTACTS,
    category_ids: list[int] | None = None,
) -> Job:
    """Check that the upload is a vCard file, keep it, and start the import job."""
    if database not in Database.values:
        raise ValidationError({"database": "Choose the contacts or the prospects database."})
    head = upload.read(65536)
    upload.seek(0)
    if not head.strip():
        raise ValidationError({"file": "The file is empty."})
    if not vcard.looks_like_vcard(head):
        raise ValidationError(
            {
                "file": "This is not a vCard file: it should start with BEGIN:VCARD. "
                "Export your contacts as vCard (.vcf) and upload that file."
            }
        )
    name = (upload.name or "contacts.vcf").rsplit("/", 1)[-1]
    path = default_storage.save(f"imports/{account.pk}/{uuid.uuid4().hex}.vcf", upload)
    return job_start(
        account=account,
        actor=actor,
        kind=KIND,
        title=f"Import {name}"[:200],
        params={
            "upload": path,
            "filename": name,
            "database": database,
            "category_ids": sorted(set(category_ids or [])),
        },
    )


def _category_ids_by_name(
    account: Account, cards: list[vcard.ParsedCard]
) -> tuple[dict[str, int], dict[str, str]]:
    """The account's categories by lower-case name, making those the cards name that do not
    exist yet; and the names that could not be made, with why."""
    known = {c.name.lower(): c.pk for c in Category.objects.for_account(account)}
    failed: dict[str, str] = {}
    for card in cards:
        for name in card.categories:
            key = name.lower()
            if key in known or key in failed or key in IGNORED_CATEGORIES:
                continue
            try:
                known[key] = category_create(account=account, name=name).pk
            except ValidationError as exc:
                failed[key] = "; ".join(exc.messages)
    return known, failed


def _report_row(card: vcard.ParsedCard, problem: str, outcome: str) -> list[Any]:
    return [card.position, card.line, card.display_name, problem, outcome]


def _import_card(
    card: vcard.ParsedCard,
    *,
    account: Account,
    actor: User | None,
    database: str,
    chosen: list[int],
    by_name: dict[str, int],
    failed: dict[str, str],
) -> tuple[bool, list[list[Any]]]:
    if not card.ok:
        return False, [_report_row(card, card.problem, "skipped")]
    category_ids = list(chosen)
    for name in card.categories:
        key = name.lower()
        if key in by_name:
            category_ids.append(by_name[key])
        elif key in failed:
            card.warnings.append(f"Category “{name}” left out: {failed[key]}")
    data = card.to_contact_data(database=database, category_ids=category_ids or None)
    try:
        with transaction.atomic():
            contact, warnings = services.contact_create(account=account, actor=actor, data=data)
            if card.note:
                services.note_add(contact=contact, actor=actor, body=card.note)
    except ValidationError as exc:
        return False, [_report_row(card, "; ".join(exc.messages), "skipped")]
    except (DatabaseError, ValueError) as exc:  # one odd card must not stop the rest
        log.exception("vCard import: card %s could not be saved", card.position)
        return False, [_report_row(card, f"Could not be saved: {exc}", "skipped")]
    return True, [_report_row(card, w, "imported") for w in [*card.warnings, *warnings]]


def vcard_import_run(job: Job) -> None:
    """The worker side: parse the stored file and create the people, a checkpoint at a time."""
    params = dict(job.params)
    with default_storage.open(params["upload"], "rb") as stored:
        cards = vcard.parse(vcard.decode(stored.read()))
    if not cards:
        finish(job, message="No vCards in this file: nothing imported")
        return
    account, actor = job.account, job.created_by
    chosen = list(
        Category.objects.for_account(account)
        .filter(pk__in=params.get("category_ids", []))
        .values_list("pk", flat=True)
    )
    by_name, failed = _category_ids_by_name(account, cards)
    created: int = params.get("created", 0)
    report: list[list[Any]] = params.get("report", [])
    start = min(job.done, len(cards))  # > 0 only when resuming after a worker restart
    progress(job, start, len(cards), message=f"Reading {len(cards):,} cards")
    for offset in range(start, len(cards), CHECKPOINT):
        with transaction.atomic():
            for card in cards[offset : offset + CHECKPOINT]:
                made, rows = _import_card(
                    card,
                    account=account,
                    actor=actor,
                    database=params["database"],
                    chosen=chosen,
                    by_name=by_name,
                    failed=failed,
                )
                created += made
                report.extend(rows)
            params.update(created=created, report=report)
            job.params = params
            Job.objects.filter(pk=job.pk).update(params=params)
            progress(job, min(offset + CHECKPOINT, len(cards)), message=f"{created:,} created")
    skipped = len(cards) - created
    message = (
        f"Created {created:,} {'person' if created == 1 else 'people'}; "
        f"skipped {skipped:,} {'card' if skipped == 1 else 'cards'}"
    )
    if not report:
        finish(job, message=message)
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REPORT_HEADER)
    writer.writerows([spreadsheet_cell(value) for value in row] for row in report)
    finish(
        job,
        filename="vcard-import-problems.csv",
        content=("\ufeff" + buffer.getvalue()).encode("utf-8"),
        message=f"{message}; {len(report):,} listed in the problem report",
    )
