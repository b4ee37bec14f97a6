"""The open-house kiosk: open houses, their revocable kiosk links, and visitors signing in.

The public form finds its open house by token (``open_house_by_token``, the one
deliberate cross-account read) and then calls ``kiosk_sign_in`` inside the open
house's tenant context.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from contacts.models import Contact, Database, NoteKind
from contacts.phones import parse_phone
from contacts.selectors import person_reached_at
from contacts.services import ContactData, EmailInput, PhoneInput, contact_create, note_add
from crm.models import Account, User
from crm.tenancy import rls_bypass
from prospects.models import OpenHouse, OpenHouseVisit, Stage, Timeframe, WorksWithAgent
from prospects.services import lead_for, lead_source_by_key

# A phone shorter than this is too little to recognise a person by.
_MIN_MATCH_DIGITS = 7


@dataclass(frozen=True)
class KioskVisitor:
    """What a visitor typed at the kiosk."""

    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""
    works_with_agent: str = ""
    timeframe: str = ""


def open_house_list(*, account: Account) -> QuerySet[OpenHouse]:
    return (
        OpenHouse.objects.for_account(account)
        .annotate(visitor_count=Count("visits"))
        .order_by("-starts_at", "-pk")
    )


def open_house_visits(*, open_house: OpenHouse) -> QuerySet[OpenHouseVisit]:
    return (
        OpenHouseVisit.objects.for_account(open_house.account_id)
        .filter(open_house=open_house)
        .select_related("contact")
    )


def open_house_by_token(token: str) -> OpenHouse | None:
    """The open house whose kiosk link this is, if the link is still live; an unknown and a
    revoked token look the same to the caller."""
    if not token:
        return None
    with rls_bypass():
        return OpenHouse.objects.filter(kiosk_token=token, kiosk_revoked_at__isnull=True).first()


@transaction.atomic
def open_house_create(
    *,
    account: Account,
    actor: User | None,
    street: str,
    unit: str = "",
    city: str = "",
    state: str = "",
    postal_code: str = "",
    starts_at: datetime,
    ends_at: datetime | None = None,
) -> OpenHouse:
    if not street.strip():
        raise ValidationError({"property_street": "Give the property's street address."})
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": "The end must come after the start."})
    return OpenHouse.objects.create(
        account=account,
        property_street=street.strip(),
        property_unit=unit.strip(),
        property_city=city.strip(),
        property_state=state.strip(),
        property_postal_code=postal_code.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor,
    )


def kiosk_revoke(*, open_house: OpenHouse, actor: User | None) -> OpenHouse:
    """The link stops working at once; a new link can be made later."""
    if open_house.kiosk_revoked_at is None:
        open_house.kiosk_revoked_at = timezone.now()
        open_house.save(update_fields=["kiosk_revoked_at"])
    return open_house


def kiosk_new_token(*, open_house: OpenHouse, actor: User | None) -> OpenHouse:
    """A fresh link; the old one stops working."""
    open_house.kiosk_token = secrets.token_urlsafe(24)
    open_house.kiosk_revoked_at = None
    open_house.save(update_fields=["kiosk_token", "kiosk_revoked_at"])
    return open_house


def _existing_person(account_id: int, email: str, phone_digits: str) -> Contact | None:
    """The person with this email, else this phone (long enough to mean one line)."""
    digits = phone_digits if len(phone_digits) >= _MIN_MATCH_DIGITS else ""
    return person_reached_at(account_id, email=email, phone_digits=digits)


def _visit_note(open_house: OpenHouse, visitor: KioskVisitor, matched: bool) -> str:
    lines = [f"Signed in at the open house at {open_house.property_address}."]
    if visitor.works_with_agent:
        lines.append(f"Working with an agent: {WorksWithAgent(visitor.works_with_agent).label}.")
    if visitor.timeframe:
        lines.append(f"Timeframe: {Timeframe(visitor.timeframe).label}.")
    if matched:
        # A public form never edits a known person's record; the agent decides.
        typed = ", ".join(
            p
            for p in (
                f"{visitor.first_name} {visitor.last_name}".strip(),
                visitor.email,
                visitor.phone,
            )
            if p
        )
        lines.append(f"Typed at the kiosk: {typed}.")
    return "\n".join(lines)


@transaction.atomic
def kiosk_sign_in(*, open_house: OpenHouse, visitor: KioskVisitor) -> OpenHouseVisit:
    """A visitor signs in: a new prospect with a lead for this property, or, when the email
    or phone is already on someone's record, a visit and a note on that person.

    Run inside the open house's tenant context; there is no acting user.
    """
    account = Account.objects.get(pk=open_house.account_id)
    first, last = visitor.first_name.strip(), visitor.last_name.strip()
    email = visitor.email.strip().lower()
    phone = parse_phone(visitor.phone, account.default_region) if visitor.phone.strip() else None
    if not (first or last):
        raise ValidationError({"first_name": "Please tell us your name."})
    if not (email or phone):
        raise ValidationError("Please give an email address or a phone number.")
    if visitor.works_with_agent and visitor.works_with_agent not in WorksWithAgent.values:
        raise ValidationError({"works_with_agent": "Choose one of the answers."})
    if visitor.timeframe and visitor.timeframe not in Timeframe.values:
        raise ValidationError({"timeframe": "Choose one of the answers."})

    person = _existing_person(account.pk, email, phone.digits if phone else "")
    matched = person is not None
    if person is None:
        source = lead_source_by_key(account.pk, "open_house")
        person, _warnings = contact_create(
            account=account,
            actor=None,
            data=ContactData(
                fields={
                    "first_name": first,
                    "last_name": last,
                    "database": Database.PROSPECTS,
                    "lead_source": source.name if source else "Open house",
                },
                phones=[PhoneInput(raw=phone.raw)] if phone else [],
                emails=[EmailInput(address=email)] if email else [],
            ),
        )
        lead = lead_for(person)
        lead.source = source
        lead.stage = Stage.NEW
        lead.property_street = open_house.property_street
        lead.property_unit = open_house.property_unit
        lead.property_city = open_house.property_city
        lead.property_state = open_house.property_state
        lead.property_postal_code = open_house.property_postal_code
        lead.inquiry = f"Signed in at the open house at {open_house.property_address}."
        lead.received_at = timezone.now()
        lead.save()
    note_add(
        contact=person,
        actor=None,
        kind=NoteKind.SYSTEM,
        body=_visit_note(open_house, visitor, matched),
    )
    return OpenHouseVisit.objects.create(
        account_id=account.pk,
        open_house=open_house,
        contact=person,
        works_with_agent=visitor.works_with_agent,
        timeframe=visitor.timeframe,
    )
