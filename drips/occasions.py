"""Birthdays and home-purchase anniversaries: this week's list (call, send an eCard, mark
done), eCards that go out by themselves on the day when the agent wants them, and the
Monday-morning digest. Each occasion is taken care of once a year (``OccasionDone``,
unique per person, occasion and year), so the hourly pass never sends a card twice."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, Phone
from contacts.reachability import Channel, reach
from crm.models import Account, User
from crm.selectors import account_owners
from drips.models import (
    Campaign,
    ContentItem,
    ContentKind,
    Occasion,
    OccasionDone,
    OccasionHow,
    OccasionSettings,
    Recipient,
    RecipientStatus,
)

AUTO_FROM_HOUR, DIGEST_FROM_HOUR = 9, 7
CARD_KEYS = {Occasion.BIRTHDAY: "ecard-birthday", Occasion.ANNIVERSARY: "ecard-home-anniversary"}


def local_now(account: Account) -> datetime:
    try:
        zone = zoneinfo.ZoneInfo(account.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.now().astimezone(zone)


def week_of(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


def _md(day: date) -> int:
    return day.month * 100 + day.day


def _mds(days: list[date]) -> dict[int, date]:
    """Month-day keys of the days; in a year without 29 February, its people on the 28th."""
    keys = {_md(d): d for d in days}
    for d in days:
        leap = d.year % 4 == 0 and (d.year % 100 != 0 or d.year % 400 == 0)
        if d.month == 2 and d.day == 28 and not leap:
            keys[229] = d
    return keys


@dataclass(frozen=True)
class Entry:
    person: Contact
    occasion: str
    on: date
    years: int | None  # in the home so many years (anniversaries)
    done: OccasionDone | None

    @property
    def label(self) -> str:
        return Occasion(self.occasion).label

    @property
    def callable(self) -> Phone | None:
        """The phone to call, if the reachability rules allow a call at all."""
        found = reach(self.person, Channel.CALL)
        return found.target if found.ok else None  # type: ignore[no-any-return]


def settings_for(account_id: int) -> OccasionSettings:
    found = OccasionSettings.objects.for_account(account_id).first()
    if found is not None:
        return found
    seeded = _seeded_cards(account_id)
    made, _ = OccasionSettings.objects.get_or_create(
        account_id=account_id,
        defaults={"birthday_card": seeded.get(Occasion.BIRTHDAY),
                  "anniversary_card": seeded.get(Occasion.ANNIVERSARY)},
    )  # fmt: skip
    return made


def _seeded_cards(account_id: int) -> dict[str, ContentItem]:
    """The library's own birthday and home-anniversary eCards, by occasion."""
    by_key = {item.key: item for item in ContentItem.objects.for_account(account_id)
              .filter(kind=ContentKind.ECARD, key__in=CARD_KEYS.values())}  # fmt: skip
    return {occasion: by_key[key] for occasion, key in CARD_KEYS.items() if key in by_key}


def default_cards(account_id: int, chosen: OccasionSettings) -> dict[str, int | None]:
    """The card each occasion's row offers first: the chosen one, else the seeded one."""
    seeded = _seeded_cards(account_id)
    cards = {Occasion.BIRTHDAY: chosen.birthday_card, Occasion.ANNIVERSARY: chosen.anniversary_card}
    return {
        occasion.value: card.pk if card is not None and card.kind == ContentKind.ECARD
        else (seeded[occasion].pk if occasion in seeded else None)
        for occasion, card in cards.items()
    }  # fmt: skip


def entries(account: Account, days: list[date]) -> list[Entry]:
    """Everyone with a birthday or home anniversary on these days, in date order."""
    keys = _mds(days)
    people = list(
        Contact.objects.for_account(account).alive().filter(deceased_on__isnull=True)
        .filter(Q(birthday_md__in=keys) | Q(anniversary_md__in=keys))
        .prefetch_related("phones", "emails", "categories", "addresses")
    )  # fmt: skip
    done = {(d.contact_id, d.occasion, d.year): d for d in OccasionDone.objects.for_account(
        account).filter(contact__in=people, year__in={d.year for d in days})}  # fmt: skip
    found: list[Entry] = []
    for person in people:
        for occasion, md, origin in (
            (Occasion.BIRTHDAY, person.birthday_md, person.birthday),
            (Occasion.ANNIVERSARY, person.anniversary_md, person.home_anniversary),
        ):
            if md in keys and origin is not None:
                on = keys[md]
                years = on.year - origin.year if occasion == Occasion.ANNIVERSARY else None
                found.append(Entry(person, occasion, on, years or None,
                                   done.get((person.pk, occasion, on.year))))  # fmt: skip
    found.sort(key=lambda e: (e.on, e.person.last_name, e.person.first_name, e.person.pk))
    return found


def mark(*, contact: Contact, occasion: str, year: int, how: str, by: User | None) -> bool:
    """Record the occasion as taken care of; False when it already was this year."""
    try:
        with transaction.atomic():
            OccasionDone.objects.create(account_id=contact.account_id, contact=contact,
                                        occasion=occasion, year=year, how=how, by=by)  # fmt: skip
    except IntegrityError:
        return False
    return True


def send_card(*, contact: Contact, occasion: str, year: int, card: ContentItem,
              by: User | None, automatic: bool = False) -> str:  # fmt: skip
    """An eCard to one person (through the worker, like any bulk email: bounces come
    back to it); returns "" or why it cannot go."""
    found = reach(contact, Channel.EMAIL, automated=automatic)
    if not found.ok:
        return found.reason
    how = OccasionHow.AUTO_ECARD if automatic else OccasionHow.ECARD
    if not mark(contact=contact, occasion=occasion, year=year, how=how, by=by):
        return "Already taken care of this year."
    campaign = Campaign.objects.create(
        account_id=contact.account_id, content=card, kind=card.kind, title=card.title,
        subject=card.subject or card.title, body=card.body, status="done", created_by=by,
        source_label=f"{Occasion(occasion).label} of {contact}"[:200], skip_cold=automatic,
        occasion=True,
        finished_at=timezone.now(),
    )  # fmt: skip
    row = Recipient.objects.create(account_id=contact.account_id, campaign=campaign,
                                   contact=contact, to_address=found.target.address,
                                   status=RecipientStatus.QUEUED)  # fmt: skip
    from drips.tasks import deliver_campaign_email

    account_id, pk = contact.account_id, row.pk
    transaction.on_commit(
        lambda: deliver_campaign_email.delay(account_id=account_id, recipient_id=pk)
    )
    return ""


def run_hourly(account: Account) -> int:
    """Automatic eCards for today's occasions (from 9:00 local) and the Monday digest."""
    now = local_now(account)
    chosen = settings_for(account.pk)
    sent = 0
    if now.hour >= AUTO_FROM_HOUR:
        cards = {Occasion.BIRTHDAY: chosen.birthday_card if chosen.auto_birthday else None,
                 Occasion.ANNIVERSARY: chosen.anniversary_card if chosen.auto_anniversary
                 else None}  # fmt: skip
        for entry in entries(account, [now.date()]):
            card = cards.get(Occasion(entry.occasion))
            if card is None or entry.done is not None:
                continue
            with transaction.atomic():
                refused = send_card(
                    contact=entry.person,
                    occasion=entry.occasion,
                    year=entry.on.year,
                    card=card,
                    by=None,
                    automatic=True,
                )
            if not refused:
                sent += 1
    monday = now.date() - timedelta(days=now.weekday())
    if (
        chosen.weekly_digest
        and now.hour >= DIGEST_FROM_HOUR
        and (chosen.digest_sent_on is None or chosen.digest_sent_on < monday)
    ):
        chosen.digest_sent_on = now.date()
        chosen.save(update_fields=["digest_sent_on"])
        send_digest(account, week_of(now.date()))
    return sent


def send_digest(account: Account, days: list[date]) -> bool:
    found = entries(account, days)
    owners = [user.email for user in account_owners(account.pk) if user.email]
    if not found or not owners:
        return False
    from django.conf import settings

    lines = [f"{e.on:%a %b} {e.on.day}: {e.person} — {e.label.lower()}"
             + (f" ({e.years} years)" if e.years else "") for e in found]  # fmt: skip
    link = settings.SITE_URL.rstrip("/") + reverse("occasions")
    body = ("This week's birthdays and home anniversaries:\n\n" + "\n".join(lines)
            + f"\n\nCall, send an eCard or mark them done: {link}\n")  # fmt: skip
    send_mail(f"{len(found)} birthdays and anniversaries this week", body, None, owners)
    return True
