"""Mailings on paper and by vendor: the mailing list CSV for postcard and greeting-card
vendors, Avery 5160 labels and #10 envelopes as PDF.

Who is in a mailing is decided once, here, from a source (a saved smart list, a category
or a contacts-list filter) through ``contacts.reachability``: deceased people, the trash,
returned and incomplete addresses never get a card. The files are written from the same
batches the contacts CSV export reads (``contacts.exports.export_batches``) and their
cells pass the same formula guard.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone

from contacts.exports import (
    AddressRow,
    EmailRow,
    ExportPerson,
    export_batches,
    ordered_ids,
    spreadsheet_cell,
)
from contacts.models import Address, AddressStatus, Contact, ContactCategory, SmartList
from contacts.reachability import Channel, reachable, usable_email, usable_mailing_address
from contacts.selectors import contact_list
from crm.jobs import finish, job_start, progress
from crm.models import Account, Category, Job, User

# Above this many people a PDF is made in the worker; below, while the agent waits.
SYNC_LIMIT = 200
LABELS_PER_SHEET = 30
BATCH = 1000


class Output:
    MAILING_CSV = "mailing_csv"
    EMAIL_CSV = "email_csv"
    LABELS = "labels"
    ENVELOPES = "envelopes"


OUTPUT_CHOICES = [
    (Output.MAILING_CSV, "Mailing list CSV (postal addresses)"),
    (Output.EMAIL_CSV, "Email list CSV"),
    (Output.LABELS, "Mailing labels PDF (Avery 5160, 30 a sheet)"),
    (Output.ENVELOPES, "#10 envelopes PDF"),
]
PDF_OUTPUTS = (Output.LABELS, Output.ENVELOPES)
KINDS = {
    Output.MAILING_CSV: "prospects.mailing_csv_export",
    Output.EMAIL_CSV: "prospects.email_csv_export",
    Output.LABELS: "prospects.labels_export",
    Output.ENVELOPES: "prospects.envelopes_export",
}


def channel_of(output: str) -> str:
    return Channel.EMAIL if output == Output.EMAIL_CSV else Channel.LETTER


# --- who is in it --------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where the people come from; exactly one of the three is set."""

    smart: SmartList | None = None
    category: Category | None = None
    query: str = ""

    @property
    def label(self) -> str:
        if self.smart is not None:
            return f"Smart list “{self.smart.name}”"
        if self.category is not None:
            return f"Category “{self.category.name}”"
        return "The current contacts filter"


def source_people(*, account: Account, source: Source) -> QuerySet[Contact]:
    """Everyone the source holds, not in the trash; unordered."""
    if source.category is not None:
        return (
            Contact.objects.for_account(account)
            .alive()
            .filter(
                Exists(
                    ContactCategory.objects.filter(
                        contact=OuterRef("pk"), category_id=source.category.pk
                    )
                )
            )
        )
    query = source.smart.query if source.smart is not None else source.query
    filterset = contact_list(account=account, params=QueryDict(query))
    if not filterset.is_valid():
        return Contact.objects.none()
    return filterset.qs.order_by()


@dataclass(frozen=True)
class Breakdown:
    """How many a mailing includes and why the others are left out."""

    total: int
    included: int
    deceased: int
    returned: int = 0
    no_address: int = 0
    no_email: int = 0

    @property
    def skipped(self) -> int:
        return self.total - self.included

    @property
    def reasons(self) -> list[tuple[str, int]]:
        found = [
            ("Deceased", self.deceased),
            ("Mail came back (returned address)", self.returned),
            ("No usable mailing address", self.no_address),
            ("No usable email address", self.no_email),
        ]
        return [(label, count) for label, count in found if count]


def mailing_breakdown(people: QuerySet[Contact], *, output: str) -> Breakdown:
    """The counts in one query, by the same rules as ``reachable``."""
    alive = Q(deceased_on__isnull=True)
    if channel_of(output) == Channel.EMAIL:
        row = people.annotate(ok=usable_email()).aggregate(
            total=Count("pk"),
            deceased=Count("pk", filter=~alive),
            included=Count("pk", filter=alive & Q(ok=True)),
        )
        return Breakdown(
            total=row["total"],
            included=row["included"],
            deceased=row["deceased"],
            no_email=row["total"] - row["included"] - row["deceased"],
        )
    returned = Exists(
        Address.objects.filter(
            contact=OuterRef("pk"), is_mailing=True, status=AddressStatus.RETURNED
        )
    )
    row = people.annotate(ok=usable_mailing_address(), back=returned).aggregate(
        total=Count("pk"),
        deceased=Count("pk", filter=~alive),
        included=Count("pk", filter=alive & Q(ok=True)),
        returned=Count("pk", filter=alive & Q(ok=False, back=True)),
    )
    return Breakdown(
        total=row["total"],
        included=row["included"],
        deceased=row["deceased"],
        returned=row["returned"],
        no_address=row["total"] - row["included"] - row["deceased"] - row["returned"],
    )


def mailing_ids(people: QuerySet[Contact], *, account: Account, output: str) -> list[int]:
    """Who is included, in name order."""
    wanted = list(reachable(people, channel_of(output)).values_list("pk", flat=True))
    return ordered_ids(account.pk, wanted) if wanted else []


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def still_included(account_id: int, ids: Sequence[int], *, output: str) -> list[int]:
    """Of ``ids``, in name order, those still included now (read back in the worker: a
    person marked deceased or whose mail came back since the export started drops out)."""
    kept: list[int] = []
    people = Contact.objects.for_account(account_id)
    for chunk in _chunks(ids):
        kept.extend(
            reachable(people.filter(pk__in=chunk), channel_of(output)).values_list("pk", flat=True)
        )
    return ordered_ids(account_id, kept)


# --- what each person gets ------------------------------------------------------------


def salutation(person: ExportPerson) -> str:
    full = f"{person.first_name} {person.last_name}".strip()
    return person.salutation.strip() or full or person.company


def mailing_address(person: ExportPerson) -> AddressRow | None:
    """The address a letter goes to: the same rule as ``reach(..., Channel.LETTER)``."""
    for address in person.addresses:
        complete = address.street and address.city and (address.postal_code or address.state)
        if address.is_mailing and address.status == AddressStatus.OK and complete:
            return address
    return None


def usable_email_of(person: ExportPerson) -> EmailRow | None:
    return next((e for e in person.emails if e.status == "ok"), None)


_DOMESTIC = {"", "us", "usa", "u.s.", "u.s.a.", "united states", "united states of america"}


def address_lines(person: ExportPerson, address: AddressRow) -> list[str]:
    """The block printed on a label or envelope."""
    lines = [salutation(person)]
    if person.company and person.company != lines[0]:
        lines.append(person.company)
    lines.append(f"{address.street} {address.unit}".strip())
    state_zip = f"{address.state} {address.postal_code}".strip()
    lines.append(", ".join(p for p in (address.city, state_zip) if p))
    if address.country.strip().lower() not in _DOMESTIC:
        lines.append(address.country)
    return [line for line in lines if line]


# --- CSV -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    value: Callable[[ExportPerson, Any], Any]  # (person, address or email row)
    income: bool = False  # left out of the file without ``can_see_income``


def _address_part(part: str) -> Callable[[ExportPerson, Any], Any]:
    return lambda person, target: getattr(target, part) if target is not None else ""


_NAME_COLUMNS = [
    Column("Salutation", lambda p, t: salutation(p)),
    Column("First name", lambda p, t: p.first_name),
    Column("Last name", lambda p, t: p.last_name),
    Column("Company", lambda p, t: p.company),
]
MAILING_COLUMNS = [
    *_NAME_COLUMNS,
    Column("Street", _address_part("street")),
    Column("Unit", _address_part("unit")),
    Column("City", _address_part("city")),
    Column("State", _address_part("state")),
    Column("ZIP", _address_part("postal_code")),
    Column("Country", _address_part("country")),
]
EMAIL_COLUMNS = [*_NAME_COLUMNS, Column("Email", _address_part("address"))]
# Figures such as a past client's commission, once people carry them: appended to both
# files, and absent (not blank) for a member without ``can_see_income``.
INCOME_COLUMNS: list[Column] = []


def csv_columns(*, output: str, can_see_income: bool) -> list[Column]:
    base = EMAIL_COLUMNS if output == Output.EMAIL_CSV else MAILING_COLUMNS
    return [c for c in [*base, *INCOME_COLUMNS] if can_see_income or not c.income]


def csv_lines(
    batches: Iterator[list[ExportPerson]], *, output: str, can_see_income: bool
) -> Iterator[tuple[int, bytes]]:
    """(people written, bytes) per batch; the first chunk is the header with the BOM."""
    columns = csv_columns(output=output, can_see_income=can_see_income)
    target = usable_email_of if output == Output.EMAIL_CSV else mailing_address
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads the file as UTF-8
    csv.writer(buffer).writerow([c.name for c in columns])
    yield 0, buffer.getvalue().encode("utf-8")
    for batch in batches:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        written = 0
        for person in batch:
            found = target(person)
            if found is None:
                continue
            writer.writerow([spreadsheet_cell(c.value(person, found)) for c in columns])
            written += 1
        yield written, buffer.getvalue().encode("utf-8")


# --- PDF -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """One label or envelope."""

    lines: list[str]


def pieces(account_id: int, ids: Sequence[int]) -> Iterator[Piece]:
    for batch in export_batches(account_id, ids):
        for person in batch:
            address = mailing_address(person)
            if address is not None:
                yield Piece(lines=address_lines(person, address))


def sheets(items: Sequence[Piece]) -> list[list[Piece]]:
    return [list(items[i : i + LABELS_PER_SHEET]) for i in range(0, len(items), LABELS_PER_SHEET)]


def labels_html(items: Sequence[Piece], *, preview: bool = False) -> str:
    return render_to_string(
        "prospects/mailing/labels.html", {"sheets": sheets(items), "preview": preview}
    )


def return_lines(*, account: Account, actor: User | None) -> list[str]:
    name = actor.display_name if actor is not None else ""
    return [line for line in (name, account.name) if line]


def envelopes_html(
    items: Sequence[Piece], *, account: Account, actor: User | None, preview: bool = False
) -> str:
    return render_to_string(
        "prospects/mailing/envelopes.html",
        {
            "envelopes": items,
            "sender": return_lines(account=account, actor=actor),
            "preview": preview,
        },
    )


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import; only where a PDF is made

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def pdf_for(*, output: str, account: Account, actor: User | None, ids: Sequence[int]) -> bytes:
    items = list(pieces(account.pk, ids))
    if output == Output.ENVELOPES:
        return render_pdf(envelopes_html(items, account=account, actor=actor))
    return render_pdf(labels_html(items))


def filename_for(output: str) -> str:
    stamp = timezone.localdate().isoformat()
    return {
        Output.MAILING_CSV: f"mailing-list-{stamp}.csv",
        Output.EMAIL_CSV: f"email-list-{stamp}.csv",
        Output.LABELS: f"labels-{stamp}.pdf",
        Output.ENVELOPES: f"envelopes-{stamp}.pdf",
    }[output]


# --- jobs ----------------------------------------------------------------------------


def mailing_start(
    *, account: Account, actor: User | None, ids: list[int], output: str, can_see_income: bool
) -> Job:
    """A worker job that writes the mailing file for these (already chosen) people."""
    if output not in KINDS:
        raise ValueError(f"Unknown mailing output {output!r}")
    title = dict(OUTPUT_CHOICES)[output].split(" (")[0]
    what = "person" if len(ids) == 1 else "people"
    return job_start(
        account=account,
        actor=actor,
        kind=KINDS[output],
        title=f"{title}: {len(ids):,} {what}",
        params={"ids": ids, "output": output, "income": can_see_income},
        total=len(ids),
    )


def run_mailing_job(job: Job) -> None:
    output = job.params["output"]
    wanted = [int(pk) for pk in job.params.get("ids", [])]
    ids = still_included(job.account_id, wanted, output=output)
    progress(job, 0, len(ids), message="Writing the file")
    if output in PDF_OUTPUTS:
        content = pdf_for(output=output, account=job.account, actor=job.created_by, ids=ids)
        done = len(ids)
    else:
        chunks: list[bytes] = []
        done = 0
        lines = csv_lines(
            export_batches(job.account_id, ids),
            output=output,
            can_see_income=bool(job.params.get("income")),
        )
        for written, chunk in lines:
            chunks.append(chunk)
            done += written
            progress(job, done)
        content = b"".join(chunks)
    message = f"{done:,} {'person' if done == 1 else 'people'}"
    if len(wanted) > done:
        message += f"; {len(wanted) - done:,} left out since the export started"
    finish(job, filename=filename_for(output), content=content, message=message)
