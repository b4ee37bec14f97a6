"""Exports of people (CSV, vCard) as worker jobs with a progress bar.

The bulk action calls ``start_export`` with the chosen ids; the worker reads them
back through the job's account in batches, so an id of another account is never
exported, and people deleted in the meantime are left out.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zoneinfo
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, NamedTuple

from django.utils import timezone

from contacts import vcard
from contacts.models import (
    Address,
    AddressStatus,
    Contact,
    ContactCategory,
    Database,
    Email,
    EmailStatus,
    Phone,
    PhoneLabel,
    PhoneStatus,
)
from contacts.phones import format_national
from crm.jobs import finish, job_start, progress
from crm.models import Account, Job, User

BATCH = 1000
KINDS = {"csv": "contacts.csv_export", "vcard": "contacts.vcard_export"}
PHONE_COLUMNS = 3
EMAIL_COLUMNS = 2

CSV_HEADER = [
    "First name",
    "Last name",
    "Mailing salutation",
    "Company",
    "Vendor type",
    *(f"Phone {n}{part}" for n in range(1, PHONE_COLUMNS + 1) for part in ("", " type", " status")),
    *(f"Email {n}{part}" for n in range(1, EMAIL_COLUMNS + 1) for part in ("", " status")),
    "Mailing street",
    "Mailing unit",
    "Mailing city",
    "Mailing state",
    "Mailing postal code",
    "Mailing country",
    "Mailing address status",
    "Birthday",
    "Home anniversary",
    "Categories",
    "Lead source",
    "Database",
    "Last contacted",
    "Created",
]  # fmt: skip

# A cell starting with one of these is a formula to a spreadsheet; names typed into
# public forms and lead emails reach this file, so such cells get a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ColumnGroup:
    """Columns another app adds to the CSV export (the prospects app: stage, property…).

    ``values`` gets a batch of person ids and the account's time zone and returns each
    person's cells; people it leaves out get blank cells. An ``income`` group is left out
    of the file (absent, not blank) for a member without ``can_see_income``."""

    headers: tuple[str, ...]
    values: Callable[[list[int], zoneinfo.ZoneInfo], dict[int, list[Any]]]
    income: bool = False


_COLUMN_GROUPS: list[ColumnGroup] = []


def register_csv_columns(group: ColumnGroup) -> None:
    _COLUMN_GROUPS.append(group)


def csv_groups(*, can_see_income: bool) -> list[ColumnGroup]:
    return [g for g in _COLUMN_GROUPS if can_see_income or not g.income]


def start_export(
    *,
    account: Account,
    actor: User | None,
    contact_ids: list[int],
    kind: str,
    can_see_income: bool = False,
) -> Job:
    """A job that writes these people of ``account`` to a CSV or .vcf file."""
    if kind not in KINDS:
        raise ValueError(f"Unknown export kind {kind!r}")
    ids = sorted({int(pk) for pk in contact_ids})
    what = "person" if len(ids) == 1 else "people"
    return job_start(
        account=account,
        actor=actor,
        kind=KINDS[kind],
        title=f"Export {len(ids):,} {what} to {'CSV' if kind == 'csv' else 'vCard'}",
        params={"ids": ids, "income": can_see_income},
        total=len(ids),
    )


def _chunks(ids: Sequence[int], size: int = BATCH) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def ordered_ids(account_id: int, ids: Sequence[int]) -> list[int]:
    """The ids still alive in the account, in name order (what a reader of the file expects)."""
    rows: list[tuple[str, str, str, int]] = []
    people = Contact.objects.for_account(account_id).alive()
    for chunk in _chunks(ids):
        rows.extend(
            people.filter(pk__in=chunk)
            .order_by()
            .values_list("last_name", "first_name", "company", "pk")
        )
    rows.sort(key=lambda r: (r[0].lower(), r[1].lower(), r[2].lower(), r[3]))
    return [row[3] for row in rows]


class PhoneRow(NamedTuple):
    e164: str
    raw: str
    label: str
    status: str


class EmailRow(NamedTuple):
    address: str
    label: str
    status: str


class AddressRow(NamedTuple):
    street: str
    unit: str
    city: str
    state: str
    postal_code: str
    country: str
    label: str
    is_mailing: bool
    status: str


PERSON_FIELDS = (
    "pk",
    "first_name",
    "last_name",
    "salutation",
    "company",
    "vendor_type",
    "birthday",
    "home_anniversary",
    "lead_source",
    "database",
    "last_contacted_at",
    "created_at",
)


@dataclass(slots=True)
class ExportPerson:
    """What an export writes of a person: plain values, read without building model objects
    (at 100,000 people the ORM's objects cost more than the file)."""

    pk: int
    first_name: str
    last_name: str
    salutation: str
    company: str
    vendor_type: str
    birthday: date | None
    home_anniversary: date | None
    lead_source: str
    database: str
    last_contacted_at: datetime | None
    created_at: datetime
    phones: list[PhoneRow] = field(default_factory=list)
    emails: list[EmailRow] = field(default_factory=list)
    addresses: list[AddressRow] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


def export_batches(account_id: int, ids: Sequence[int]) -> Iterator[list[ExportPerson]]:
    """People with their phones, emails, addresses and categories, a batch at a time, in
    the order of ``ids``: five queries per batch.

    The people are read through the account; their child rows by the ids that read
    returned (as the list's prefetch does). Adding ``account_id`` there too would let
    SQLite pick the account's index and scan every phone of the account for each batch."""
    for chunk in _chunks(ids):
        found = {
            row[0]: ExportPerson(*row)
            for row in Contact.objects.for_account(account_id)
            .alive()
            .filter(pk__in=chunk)
            .order_by()
            .values_list(*PERSON_FIELDS)
        }
        children = (
            (Phone, PhoneRow, "phones", ("position", "id")),
            (Email, EmailRow, "emails", ("position", "id")),
            (Address, AddressRow, "addresses", ("-is_mailing", "position", "id")),
        )
        for model, row_type, attribute, order in children:
            rows = (
                model.objects.filter(contact_id__in=list(found))
                .order_by("contact_id", *order)
                .values_list("contact_id", *row_type._fields)
            )
            for contact_id, *values in rows:
                getattr(found[contact_id], attribute).append(row_type(*values))
        links = ContactCategory.objects.filter(contact_id__in=list(found)).values_list(
            "contact_id", "category__name"
        )
        for contact_id, name in links:
            found[contact_id].categories.append(name)
        for person in found.values():
            person.categories.sort(key=str.lower)
        yield [found[pk] for pk in chunk if pk in found]


def spreadsheet_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


_PHONE_LABELS = dict(PhoneLabel.choices)
_PHONE_STATUSES = dict(PhoneStatus.choices)
_EMAIL_STATUSES = dict(EmailStatus.choices)
_ADDRESS_STATUSES = dict(AddressStatus.choices)
_DATABASES = dict(Database.choices)


def csv_row(person: ExportPerson, tz: zoneinfo.ZoneInfo) -> list[str]:
    def when(value: datetime | None) -> str:
        return timezone.localtime(value, tz).strftime("%Y-%m-%d %H:%M") if value else ""

    row: list[Any] = [
        person.first_name,
        person.last_name,
        person.salutation,
        person.company,
        person.vendor_type,
    ]
    for index in range(PHONE_COLUMNS):
        if index < len(person.phones):
            phone = person.phones[index]
            row += [
                format_national(phone.e164) if phone.e164 else phone.raw,
                _PHONE_LABELS.get(phone.label, phone.label),
                _PHONE_STATUSES.get(phone.status, phone.status),
            ]
        else:
            row += ["", "", ""]
    for index in range(EMAIL_COLUMNS):
        if index < len(person.emails):
            email = person.emails[index]
            row += [email.address, _EMAIL_STATUSES.get(email.status, email.status)]
        else:
            row += ["", ""]
    mailing = next((a for a in person.addresses if a.is_mailing), None)
    if mailing is not None:
        row += [
            mailing.street,
            mailing.unit,
            mailing.city,
            mailing.state,
            mailing.postal_code,
            mailing.country,
            _ADDRESS_STATUSES.get(mailing.status, mailing.status),
        ]
    else:
        row += [""] * 7
    row += [
        person.birthday.isoformat() if person.birthday else "",
        person.home_anniversary.isoformat() if person.home_anniversary else "",
        "; ".join(person.categories),
        person.lead_source,
        _DATABASES.get(person.database, person.database),
        when(person.last_contacted_at),
        when(person.created_at),
    ]
    return [spreadsheet_cell(value) for value in row]


def vcard_card(person: ExportPerson) -> vcard.Card:
    return vcard.Card(
        first_name=person.first_name,
        last_name=person.last_name,
        company=person.company,
        title=person.vendor_type,
        birthday=person.birthday,
        phones=[vcard.CardPhone(vcard.phone_value(p.e164, p.raw), p.label) for p in person.phones],
        emails=[vcard.CardEmail(e.address, e.label) for e in person.emails],
        addresses=[
            vcard.CardAddress(
                a.street, a.unit, a.city, a.state, a.postal_code, a.country, a.label, a.is_mailing
            )
            for a in person.addresses
        ],
        categories=person.categories,
    )


def _account_zone(account: Account) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(account.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _run(
    job: Job,
    *,
    extension: str,
    head: bytes,
    write: Callable[[IO[bytes], list[ExportPerson]], None],
) -> None:
    wanted = [int(pk) for pk in job.params.get("ids", [])]
    ids = ordered_ids(job.account_id, wanted)
    progress(job, 0, len(ids), message="Writing the file")
    done = 0
    with tempfile.TemporaryFile() as out:  # on disk, not in memory, until the file is whole
        out.write(head)
        for batch in export_batches(job.account_id, ids):
            write(out, batch)
            done += len(batch)
            progress(job, done)
        out.seek(0)
        content = out.read()
    gone = len(wanted) - done
    message = f"Exported {done:,} {'person' if done == 1 else 'people'}"
    if gone:
        message += f"; {gone:,} no longer in the database"
    stamp = timezone.localdate().isoformat()
    finish(job, filename=f"contacts-{stamp}.{extension}", content=content, message=message)


def run_csv_export(job: Job) -> None:
    tz = _account_zone(job.account)
    groups = csv_groups(can_see_income=bool(job.params.get("income")))
    header = io.StringIO()
    csv.writer(header).writerow([*CSV_HEADER, *(h for g in groups for h in g.headers)])

    def write(out: IO[bytes], batch: list[ExportPerson]) -> None:
        ids = [person.pk for person in batch]
        extra = [(g.values(ids, tz), [""] * len(g.headers)) for g in groups]
        buffer = io.StringIO()
        csv.writer(buffer).writerows(
            csv_row(person, tz)
            + [spreadsheet_cell(v) for cells, blank in extra for v in cells.get(person.pk, blank)]
            for person in batch
        )
        out.write(buffer.getvalue().encode("utf-8"))

    # The byte-order mark makes Excel read the file as UTF-8.
    _run(job, extension="csv", head=("\ufeff" + header.getvalue()).encode("utf-8"), write=write)


def run_vcard_export(job: Job) -> None:
    def write(out: IO[bytes], batch: list[ExportPerson]) -> None:
        out.write(vcard.serialize_cards(vcard_card(person) for person in batch).encode("utf-8"))

    _run(job, extension="vcf", head=b"", write=write)
