"""Printed drips: the weekly batch of letters to print, as letters, labels and envelopes.

A letter step that falls due leaves a ``Send`` waiting "to print". The batch is read
here, once, in one order (the person's last name, first name, then the send), and the
letters PDF, the labels and the envelopes are all made from that same list, so they
match sheet by sheet. Each letter is checked again against ``contacts.reachability``
when the batch is read: a person who died, whose mail came back or who went Cold since
the step fell due is listed apart with the reason and never printed. Labels and
envelopes are ``prospects.mailing``'s own layouts.

``mark_printed`` takes the ids of the batch the agent saw (not "everything waiting now",
which may hold a letter that fell due after the PDF was made)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from contacts.exports import ExportPerson, export_batches
from contacts.models import NoteKind
from contacts.reachability import Channel, reach
from contacts.services import note_add
from crm.models import Account, User
from drips import merge
from drips.models import Send, SendStatus, StepKind
from prospects import mailing

# A note on the person says what went out; there is no "letter" kind of note, and a
# letter is not a conversation (it does not reset the call-down clock).
NOTE_KIND = NoteKind.SYSTEM


@dataclass(frozen=True)
class Letterhead:
    """Who the letters are from: the account's owner (the agent), as merge fields see them."""

    name: str
    account_name: str
    phone: str = ""
    email: str = ""

    @property
    def lines(self) -> list[str]:
        return [line for line in (self.name, self.account_name) if line]


@dataclass(frozen=True)
class Letter:
    """One letter that will be printed: its send, the address block, the merged text."""

    send: Send
    address: list[str]  # the block in the envelope window, on the label and the envelope
    text: str
    signed: bool  # the text carries the agent's signature itself

    @property
    def mailing_line(self) -> str:
        return ", ".join(self.address[1:])


@dataclass(frozen=True)
class LeftOut:
    """A letter that will not be printed, and why."""

    send: Send
    reason: str


@dataclass
class Batch:
    account: Account
    through: date | None  # the last day of the chosen week; None for everything waiting
    letterhead: Letterhead
    agent: User | None = None  # whom the letters are from (the account's owner)
    letters: list[Letter] = field(default_factory=list)
    refused: list[LeftOut] = field(default_factory=list)  # the reachability rules say no
    problems: list[LeftOut] = field(default_factory=list)  # the letter itself cannot go

    @property
    def doubled(self) -> set[int]:
        """People with more than one letter in this batch (two drips at once)."""
        seen: set[int] = set()
        twice: set[int] = set()
        for letter in self.letters:
            person = letter.send.contact_id
            (twice if person in seen else seen).add(person)
        return twice

    @property
    def send_ids(self) -> list[int]:
        return [letter.send.pk for letter in self.letters]

    @property
    def pieces(self) -> list[mailing.Piece]:
        """Labels and envelopes, in the letters' own order."""
        return [mailing.Piece(lines=letter.address) for letter in self.letters]

    @property
    def is_large(self) -> bool:
        return len(self.letters) > mailing.SYNC_LIMIT


def account_zone(account: Account) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(account.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week ``day`` falls in."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def letterhead_for(account: Account, agent: User | None) -> Letterhead:
    if agent is None:
        return Letterhead(name=account.name, account_name="")
    return Letterhead(
        name=agent.display_name,
        account_name=account.name,
        phone=agent.mobile_phone,
        email=agent.email,
    )


def waiting(account: Account, *, through: date | None = None) -> QuerySet[Send]:
    """The letters waiting to print, created up to the end of ``through`` (the account's
    day), with everything the batch reads of them: a constant number of queries."""
    sends = Send.objects.for_account(account).filter(
        status=SendStatus.TO_PRINT, kind=StepKind.LETTER
    )
    if through is not None:
        end = datetime.combine(through + timedelta(days=1), time.min, tzinfo=account_zone(account))
        sends = sends.filter(created_at__lt=end)
    return sends.select_related(
        "contact__lead", "step__content", "enrollment__sequence"
    ).prefetch_related("contact__addresses", "contact__categories")


def _order(send: Send) -> tuple[str, str, int]:
    return (send.contact.last_name.lower(), send.contact.first_name.lower(), send.pk)


def _people(account_id: int, ids: Sequence[int]) -> dict[int, ExportPerson]:
    found: dict[int, ExportPerson] = {}
    for chunk in export_batches(account_id, list(dict.fromkeys(ids))):
        found.update((person.pk, person) for person in chunk)
    return found


def batch(
    account_id: int, *, through: date | None = None, only: Iterable[int] | None = None
) -> Batch:
    """The letters to print of the account (of the chosen week, or everything waiting),
    in print order; ``only`` keeps just these send ids (the batch a page showed)."""
    account = Account.objects.get(pk=account_id)
    sends = waiting(account, through=through)
    if only is not None:
        sends = sends.filter(pk__in=list(only))
    ordered = sorted(sends, key=_order)
    agent = merge.agent_of(account)
    found = Batch(
        account=account, through=through, letterhead=letterhead_for(account, agent), agent=agent
    )
    printable: list[tuple[Send, str, bool]] = []
    for send in ordered:
        verdict = reach(send.contact, Channel.LETTER, automated=True)
        if not verdict.ok:
            found.refused.append(LeftOut(send, verdict.reason))
            continue
        content = send.step.content
        if content is None:
            found.problems.append(LeftOut(send, "The letter was deleted from the library."))
            continue
        rendered = merge.render(content.body, merge.values_for(send.contact, agent=agent))
        if not rendered.ok:
            found.problems.append(LeftOut(send, " ".join(rendered.problems)))
            continue
        if rendered.missing:  # "Dear ," or "call me at ." on paper: caught before printing
            found.problems.append(LeftOut(send, merge.missing_message(rendered.missing)))
            continue
        signed = "agent_signature" in content.body
        printable.append((send, rendered.text.strip(), signed))
    people = _people(account_id, [send.contact_id for send, _text, _signed in printable])
    for send, text, signed in printable:
        person = people.get(send.contact_id)
        address = mailing.mailing_address(person) if person is not None else None
        if person is None or address is None:
            found.refused.append(LeftOut(send, "No usable mailing address"))
            continue
        lines = mailing.address_lines(person, address)
        found.letters.append(Letter(send=send, address=lines, text=text, signed=signed))
    found.refused.sort(key=lambda left: _order(left.send))
    return found


# --- the files ---------------------------------------------------------------------------


def letters_html(found: Batch, *, on: date | None = None) -> str:
    day = on or timezone.localdate(timezone=account_zone(found.account))
    return render_to_string(
        "drips/print/letters_pdf.html",
        {"batch": found, "letters": found.letters, "head": found.letterhead, "day": day},
    )


def letters_pdf(found: Batch, *, on: date | None = None) -> bytes:
    """One letter a page (a long one runs on), US Letter, the address in a #10 window."""
    return mailing.render_pdf(letters_html(found, on=on))


def labels_pdf(found: Batch) -> bytes:
    """Avery 5160 labels, in the letters' order."""
    return mailing.render_pdf(mailing.labels_html(found.pieces))


def envelopes_pdf(found: Batch) -> bytes:
    """#10 envelopes, in the letters' order, from the agent who signs the letters (not
    whoever prints them)."""
    return mailing.render_pdf(
        mailing.envelopes_html(found.pieces, account=found.account, actor=found.agent)
    )


def filename(what: str, found: Batch) -> str:
    stamp = timezone.localdate(timezone=account_zone(found.account)).isoformat()
    return f"{what}-{stamp}.pdf"


# --- after printing ----------------------------------------------------------------------


def mark_printed(account_id: int, send_ids: Iterable[int], actor: User | None) -> int:
    """The letters of these ids that would print now become done, each with a dated note
    on the person. Ids of another account, letters done already and letters the batch
    leaves out (refused, or with a problem) are left alone. Returns how many were marked."""
    ids = [int(pk) for pk in send_ids]
    if not ids:
        return 0
    found = batch(account_id, only=ids)
    ids, account = found.send_ids, found.account
    day = timezone.localdate(timezone=account_zone(account)).isoformat()
    now = timezone.now()
    with transaction.atomic():
        sends = list(
            Send.objects.for_account(account_id)
            .select_for_update(of=("self",))
            .filter(pk__in=ids, status=SendStatus.TO_PRINT, kind=StepKind.LETTER)
            .select_related("contact", "step__content", "enrollment__sequence")
            .order_by("pk")
        )
        for send in sends:
            send.status, send.sent_at = SendStatus.DONE, now
            send.save(update_fields=["status", "sent_at"])
            content = send.step.content
            title = content.title if content is not None else f"step {send.step.position}"
            note_add(
                contact=send.contact,
                actor=actor,
                kind=NOTE_KIND,
                body=f"Printed letter “{title}” (drip “{send.enrollment.sequence}”) on {day}.",
            )
    return len(sends)
