"""Whether a person may be reached on a channel, and why not.

The one place compliance lives: every sender (drip, bulk email, eCard, SMS,
click-to-dial, printed letter) asks ``reach`` for one person or filters a
queryset with ``reachable`` before it sends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet

from contacts.models import (
    Address,
    AddressStatus,
    Contact,
    ContactCategory,
    Email,
    EmailStatus,
    Phone,
    PhoneStatus,
)

# Categories whose members get no automated message (the book: Cold is "get lost").
NO_AUTOMATION_KEYS = ("cold", "nolead")

# Phones another app rules out for a channel (call capture: numbers that texted STOP),
# as a Q over Phone rows, with the reason shown when it leaves no phone.
_PHONE_EXCLUSIONS: dict[str, list[tuple[Callable[[], Q], str]]] = {}


def register_phone_exclusion(channel: str, rule: Callable[[], Q], reason: str) -> None:
    _PHONE_EXCLUSIONS.setdefault(channel, []).append((rule, reason))


def _excluded_phone_ids(channel: str, phones: list[Phone]) -> tuple[set[int], str]:
    rules = _PHONE_EXCLUSIONS.get(channel, [])
    if not rules or not phones:
        return set(), ""
    ids: set[int] = set()
    reason = ""
    for rule, why in rules:
        found = set(
            Phone.objects.filter(rule(), pk__in=[p.pk for p in phones]).values_list("pk", flat=True)
        )
        if found:
            ids |= found
            reason = reason or why
    return ids, reason


class Channel(models.TextChoices):
    CALL = "call", "Call"
    TEXT = "text", "Text"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


@dataclass(frozen=True)
class Reach:
    ok: bool
    reason: str = ""
    target: Any = None  # the phone, email or address to use

    def __bool__(self) -> bool:
        return self.ok


def _blocked(reason: str) -> Reach:
    return Reach(ok=False, reason=reason)


def reach(contact: Contact, channel: str, *, automated: bool = False) -> Reach:
    """For one person whose phones, emails, addresses and categories are at hand
    (prefetch them for lists)."""
    if contact.deleted_at is not None:
        return _blocked("In the trash")
    if contact.deceased_on is not None:
        return _blocked("Deceased")
    if automated:
        if contact.stop_automations:
            return _blocked("All automations stopped")
        keys = {c.key for c in contact.categories.all()}
        for key in NO_AUTOMATION_KEYS:
            if key in keys:
                name = next(c.name for c in contact.categories.all() if c.key == key)
                return _blocked(f"In {name}: no automations")
    if channel in (Channel.CALL, Channel.TEXT):
        phones = list(contact.phones.all())
        if not phones:
            return _blocked("No phone number")
        usable = [p for p in phones if p.status == PhoneStatus.OK]
        if not usable:
            statuses = {p.status for p in phones}
            return _blocked(
                "Asked not to be called (DNC)"
                if PhoneStatus.DNC in statuses
                else "Every phone is BAD"
            )
        excluded, why = _excluded_phone_ids(channel, usable)
        usable = [p for p in usable if p.pk not in excluded]
        if not usable:
            return _blocked(why)
        if channel == Channel.TEXT:
            mobiles = [p for p in usable if p.label == "mobile"] or usable
            return Reach(ok=True, target=mobiles[0])
        return Reach(ok=True, target=usable[0])
    if channel == Channel.EMAIL:
        emails = list(contact.emails.all())
        if not emails:
            return _blocked("No email address")
        open_emails = [e for e in emails if e.status == EmailStatus.OK]
        if not open_emails:
            return _blocked(f"Email {emails[0].get_status_display().lower()}")
        return Reach(ok=True, target=open_emails[0])
    if channel == Channel.LETTER:
        addresses = [a for a in contact.addresses.all() if a.is_mailing]
        if not addresses:
            return _blocked("No mailing address")
        deliverable = [a for a in addresses if a.status == AddressStatus.OK and a.is_complete]
        if not deliverable:
            returned = any(a.status == AddressStatus.RETURNED for a in addresses)
            return _blocked(
                "Mail came back (returned)" if returned else "Mailing address incomplete"
            )
        return Reach(ok=True, target=deliverable[0])
    raise ValueError(f"Unknown channel {channel!r}")


def usable_phone(channel: str = Channel.CALL) -> Exists:
    phones = Phone.objects.filter(contact=OuterRef("pk"), status=PhoneStatus.OK)
    for rule, _why in _PHONE_EXCLUSIONS.get(channel, []):
        phones = phones.exclude(rule())
    return Exists(phones)


def usable_email() -> Exists:
    return Exists(Email.objects.filter(contact=OuterRef("pk"), status=EmailStatus.OK))


def usable_mailing_address() -> Exists:
    return Exists(
        Address.objects.filter(contact=OuterRef("pk"), is_mailing=True, status=AddressStatus.OK)
        .exclude(street="")
        .exclude(city="")
        .exclude(postal_code="", state="")  # the same test as Address.is_complete
    )


def reachable(
    queryset: QuerySet[Contact], channel: str, *, automated: bool = False
) -> QuerySet[Contact]:
    """The same rules as ``reach``, in SQL, for counting and sending in bulk."""
    qs = queryset.filter(deleted_at__isnull=True, deceased_on__isnull=True)
    if automated:
        qs = qs.filter(stop_automations=False).exclude(
            Exists(
                ContactCategory.objects.filter(
                    contact=OuterRef("pk"), category__key__in=NO_AUTOMATION_KEYS
                )
            )
        )
    condition: Q | Exists
    if channel in (Channel.CALL, Channel.TEXT):
        condition = usable_phone(channel)
    elif channel == Channel.EMAIL:
        condition = usable_email()
    elif channel == Channel.LETTER:
        condition = usable_mailing_address()
    else:
        raise ValueError(f"Unknown channel {channel!r}")
    return qs.filter(condition)


def channel_badges(contact: Contact) -> list[tuple[str, Reach]]:
    """Each channel and whether it is open, for the record's badges."""
    return [(label, reach(contact, value)) for value, label in Channel.choices]
