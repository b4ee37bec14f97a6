"""Reads for database hygiene (the book's chapter): who needs attention, and how fast the
list decays. Every selector is scoped to one account and never returns the trash."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from contacts.models import (
    Address,
    AddressStatus,
    Contact,
    ContactCategory,
    Database,
    Email,
    EmailStatus,
    Note,
    Phone,
    PhoneStatus,
)
from contacts.reachability import usable_email, usable_mailing_address, usable_phone
from contacts.selectors import with_row_data
from crm.models import Account

TOP100_STALE_DAYS = 90
PROSPECT_SILENT_DAYS = 730


def _alive(account: Account) -> QuerySet[Contact]:
    return Contact.objects.alive().for_account(account)


def in_category(key: str) -> Exists:
    """The person is in the built-in category with this key (top100, christmas, cold…)."""
    return Exists(ContactCategory.objects.filter(contact=OuterRef("pk"), category__key=key))


def _calldown(queryset: QuerySet[Contact]) -> QuerySet[Contact]:
    return queryset.order_by(F("last_contacted_at").asc(nulls_first=True), "id")


def _by_name(queryset: QuerySet[Contact]) -> QuerySet[Contact]:
    return queryset.order_by("last_name", "first_name", "id")


def top100_stale(*, account: Account, days: int = TOP100_STALE_DAYS) -> QuerySet[Contact]:
    """Top100 people not contacted in ``days`` days (never contacted counts), longest silent
    first."""
    cutoff = timezone.now() - timedelta(days=days)
    stale = Q(last_contacted_at__lt=cutoff) | Q(last_contacted_at__isnull=True)
    return _calldown(_alive(account).filter(in_category("top100")).filter(stale))


def christmas_without_address(*, account: Account) -> QuerySet[Contact]:
    """In Christmas, but no mailing address a card could go to."""
    return _by_name(
        _alive(account).filter(in_category("christmas")).exclude(usable_mailing_address())
    )


def unreachable(*, account: Account) -> QuerySet[Contact]:
    """No usable phone, email or mailing address: name-only records land here. The
    deceased are left out: their household is reached through the survivor. Never
    contacted first (call-down order), which an index walks without sorting the lot."""
    return _calldown(
        _alive(account)
        .filter(deceased_on__isnull=True)
        .exclude(usable_phone())
        .exclude(usable_email())
        .exclude(usable_mailing_address())
    )


def prospects_silent(*, account: Account, days: int = PROSPECT_SILENT_DAYS) -> QuerySet[Contact]:
    """Prospects not heard from in ``days`` days (or never, and older than that) who are
    not Cold yet."""
    cutoff = timezone.now() - timedelta(days=days)
    silent = Q(last_contacted_at__lt=cutoff) | Q(
        last_contacted_at__isnull=True, created_at__lt=cutoff
    )
    return _calldown(
        _alive(account)
        .filter(database=Database.PROSPECTS)
        .filter(silent)
        .exclude(in_category("cold"))
    )


def in_cold(*, account: Account) -> QuerySet[Contact]:
    """Everyone in Cold, for the yearly clean-up."""
    return _by_name(_alive(account).filter(in_category("cold")))


def christmas_cards(*, account: Account) -> QuerySet[Contact]:
    """The Christmas card test's deck, in its fixed order."""
    return _alive(account).filter(in_category("christmas")).order_by("last_name", "id")


HYGIENE_LISTS: dict[str, tuple[str, str]] = {
    "top100": (
        "Top100 not contacted in 90 days",
        "The people who send you the most business, silent for three months or more.",
    ),
    "christmas": (
        "Christmas without a mailing address",
        "In the Christmas category, but no mailing address a card could go to.",
    ),
    "unreachable": (
        "No way to reach them",
        "No usable phone, email or mailing address: find one, or let them go.",
    ),
    "silent-prospects": (
        "Prospects silent two years or more",
        "Leads who never turned into anything: mark them Cold to keep the lists clean.",
    ),
}


def hygiene_list(*, account: Account, slug: str) -> QuerySet[Contact]:
    selectors = {
        "top100": top100_stale,
        "christmas": christmas_without_address,
        "unreachable": unreachable,
        "silent-prospects": prospects_silent,
    }
    return selectors[slug](account=account)


@dataclass(frozen=True)
class Window:
    """One page of a list, found without counting the list: a 100,000-person account's
    anti-joins cost more to count than to page. The count loads on its own (htmx)."""

    object_list: list[Contact]
    number: int
    size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.object_list)


def window(queryset: QuerySet[Contact], number: str | None, size: int) -> Window:
    """Page ``number`` (1 when missing or junk) of ``queryset``: one more row than a page is
    read to know whether there is a next one."""
    page = int(number) if number and number.isdigit() and int(number) > 0 else 1
    start = (page - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Window(object_list=rows[:size], number=page, size=size, has_next=len(rows) > size)


# ---- list decay -------------------------------------------------------------------------


@dataclass(frozen=True)
class Decay:
    """How many of one kind of channel went bad this year, out of how many there are."""

    label: str
    count: int
    total: int

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0

    @property
    def percent(self) -> str:
        return f"{self.share * 100:.1f}%"


def year_start(account: Account, now: datetime | None = None) -> datetime:
    """Midnight on January 1 of the current calendar year, in the account's time zone."""
    try:
        zone = zoneinfo.ZoneInfo(account.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = (now or timezone.now()).astimezone(zone)
    return datetime(local.year, 1, 1, tzinfo=zone)


def _decay(
    model: type[Phone | Email | Address], account: Account, bad: Q, since: datetime
) -> tuple[int, int]:
    """(gone bad since ``since``, all) for one kind of channel, people in the trash left out.

    Three small counts rather than one join of every row to its person: the total is read
    from an index alone, and the trash is usually a handful of people."""
    rows = model.objects.for_account(account)  # type: ignore[attr-defined]
    everything = rows.count()
    in_trash = rows.filter(contact__deleted_at__isnull=False).count()
    decayed = rows.filter(bad, status_changed_at__gte=since, contact__deleted_at__isnull=True)
    return decayed.count(), everything - in_trash


def list_decay(*, account: Account, now: datetime | None = None) -> list[Decay]:
    """Emails that hard-bounced or complained, addresses returned and phones gone BAD since
    January 1, as counts and as shares of all emails, addresses and phones (trash left out)."""
    since = year_start(account, now)
    emails = _decay(
        Email, account, Q(status__in=[EmailStatus.HARD_BOUNCE, EmailStatus.COMPLAINT]), since
    )
    addresses = _decay(Address, account, Q(status=AddressStatus.RETURNED), since)
    phones = _decay(Phone, account, Q(status=PhoneStatus.BAD), since)
    return [
        Decay("Emails bounced or complained", *emails),
        Decay("Addresses returned", *addresses),
        Decay("Phones gone BAD", *phones),
    ]


# ---- the Christmas card test -----------------------------------------------------------


@dataclass(frozen=True)
class Card:
    contact: Contact | None  # None: past the last card
    position: int  # 1-based place of this card in the deck
    total: int
    notes: list[Note]


def christmas_card(*, account: Account, after: int | None) -> Card:
    """The card after the person with id ``after`` (the first card when None) in the
    Christmas deck, with the person's last three notes and the progress."""
    deck = christmas_cards(account=account)
    total = deck.order_by().count()
    position = 1
    remaining = deck
    if after is not None:
        previous = Contact.objects.for_account(account).filter(pk=after).values("last_name").first()
        if previous is not None:
            past = Q(last_name__gt=previous["last_name"]) | Q(
                last_name=previous["last_name"], pk__gt=after
            )
            remaining = deck.filter(past)
            position = deck.exclude(past).order_by().count() + 1
    contact = with_row_data(remaining).first()
    notes = (
        list(Note.objects.for_account(account).filter(contact=contact).select_related("author")[:3])
        if contact is not None
        else []
    )
    return Card(contact=contact, position=position, total=total, notes=notes)
