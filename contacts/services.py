"""Writes to people: create, edit, log a contact, statuses, trash, deceased, bulk actions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.utils import timezone

from contacts.models import (
    MEANINGFUL_CONTACT,
    Address,
    Contact,
    ContactCategory,
    Email,
    Note,
    NoteKind,
    Phone,
    PhoneStatus,
    SmartList,
)
from contacts.phones import parse_phone
from contacts.search import build_search_text
from crm.audit import audit_bulk
from crm.models import Account, AuditAction, Category, Task, User

TRASH_DAYS = 30

# Sent after a call, text, email or meeting is logged (``contact``, ``note``): the
# prospects app records the first response and moves the lead's stage.
contact_logged = Signal()


@dataclass
class PhoneInput:
    raw: str
    label: str = "mobile"
    status: str = PhoneStatus.OK


@dataclass
class EmailInput:
    address: str
    label: str = "personal"


@dataclass
class AddressInput:
    street: str = ""
    unit: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = "US"
    label: str = "home"
    is_mailing: bool = True


@dataclass
class ContactData:
    """What a form or an import gives for one person."""

    fields: dict[str, Any] = field(default_factory=dict)
    phones: list[PhoneInput] = field(default_factory=list)
    emails: list[EmailInput] = field(default_factory=list)
    addresses: list[AddressInput] = field(default_factory=list)
    category_ids: list[int] | None = None


def refresh_search(contact: Contact) -> None:
    """Rebuild the derived search text from the person and their child rows."""
    contact.search_text = build_search_text(
        # The full name, so "Jack Smi" finds Jack Smith as well as "jack" or "smith" alone.
        names=[contact.full_name, contact.company, contact.salutation],
        emails=Email.objects.filter(contact=contact).values_list("address", flat=True),
        phone_digits=Phone.objects.filter(contact=contact).values_list("digits", flat=True),
        streets=Address.objects.filter(contact=contact).values_list("street", flat=True),
    )
    Contact.objects.filter(pk=contact.pk).update(search_text=contact.search_text)


def _region(account: Account | int) -> str:
    """The account's phone region, for numbers typed without a country code."""
    account_id = account if isinstance(account, int) else account.pk
    region = Account.objects.filter(pk=account_id).values_list("default_region", flat=True).first()
    return region or "US"


def _scoped_categories(account_id: int, ids: Iterable[int]) -> list[Category]:
    return list(Category.objects.for_account(account_id).filter(pk__in=list(ids)))


def _replace_children(contact: Contact, data: ContactData) -> list[str]:
    """Phones, emails and addresses become exactly what ``data`` lists; returns warnings."""
    warnings: list[str] = []
    account_id = contact.account_id
    region = _region(account_id)
    existing_phones = {p.pk: p for p in contact.phones.all()}
    kept: set[int] = set()
    for position, item in enumerate(data.phones):
        parsed = parse_phone(item.raw, region)
        if not parsed.raw:
            continue
        if not parsed.ok:
            warnings.append(f"Kept “{parsed.raw}” as typed: it does not look like a phone number.")
        match = next(
            (
                p
                for p in existing_phones.values()
                if p.pk not in kept
                and (p.raw == parsed.raw or (parsed.e164 and p.e164 == parsed.e164))
            ),
            None,
        )
        phone = match or Phone(account_id=account_id, contact=contact)
        phone.raw, phone.e164, phone.digits = parsed.raw, parsed.e164, parsed.digits
        phone.label, phone.position = item.label, position
        phone.save()
        kept.add(phone.pk)
    for pk, phone in existing_phones.items():
        if pk not in kept:
            phone.delete()

    existing_emails = {e.address.lower(): e for e in contact.emails.all()}
    keep_emails: set[int] = set()
    for position, email_input in enumerate(data.emails):
        email_address = email_input.address.strip().lower()
        if not email_address:
            continue
        email = existing_emails.get(email_address) or Email(account_id=account_id, contact=contact)
        email.address, email.label, email.position = email_address, email_input.label, position
        email.save()
        keep_emails.add(email.pk)
    for email in existing_emails.values():
        if email.pk not in keep_emails:
            email.delete()

    existing_addresses = list(contact.addresses.all())
    for position, address_input in enumerate(data.addresses):
        values = {
            k: (v.strip() if isinstance(v, str) else v) for k, v in vars(address_input).items()
        }
        if not any(values[k] for k in ("street", "city", "postal_code")):
            continue
        address = (
            existing_addresses.pop(0)
            if existing_addresses
            else Address(account_id=account_id, contact=contact)
        )
        changed_place = any(
            getattr(address, k) != values[k] for k in ("street", "unit", "city", "postal_code")
        )
        for key, value in values.items():
            setattr(address, key, value)
        if changed_place and address.pk and address.status != "ok":
            address.status, address.status_changed_at = "ok", timezone.now()  # a new address
        address.position = position
        address.save()
    for leftover in existing_addresses:
        leftover.delete()
    return warnings


def _set_categories(contact: Contact, category_ids: Iterable[int]) -> None:
    wanted = {c.pk for c in _scoped_categories(contact.account_id, category_ids)}
    links = {link.category_id: link for link in contact.category_links.all()}
    for category_id in wanted - links.keys():
        ContactCategory.objects.create(
            account_id=contact.account_id, contact=contact, category_id=category_id
        )
    for category_id in links.keys() - wanted:
        links[category_id].delete()


def _check_links(account_id: int, fields: dict[str, Any], pk: int | None = None) -> None:
    for name in ("spouse", "referred_by"):
        other = fields.get(name)
        if other is None:
            continue
        if other.account_id != account_id:
            raise ValidationError({name: "Choose a person from this account."})
        if pk is not None and other.pk == pk:
            raise ValidationError({name: "A person cannot be linked to themselves."})


@transaction.atomic
def contact_create(
    *, account: Account, actor: User | None, data: ContactData
) -> tuple[Contact, list[str]]:
    fields = dict(data.fields)
    _check_links(account.pk, fields)
    if not any(str(fields.get(k) or "").strip() for k in ("first_name", "last_name", "company")):
        raise ValidationError({"first_name": "Give at least a first name, last name or company."})
    contact = Contact(account=account, **fields)
    contact.save()
    warnings = _replace_children(contact, data)
    if data.category_ids:
        _set_categories(contact, data.category_ids)
    refresh_search(contact)
    return contact, warnings


@transaction.atomic
def contact_update(*, contact: Contact, actor: User | None, data: ContactData) -> list[str]:
    fields = dict(data.fields)
    _check_links(contact.account_id, fields, pk=contact.pk)
    for name, value in fields.items():
        setattr(contact, name, value)
    if not (contact.first_name or contact.last_name or contact.company):
        raise ValidationError({"first_name": "Give at least a first name, last name or company."})
    contact.save()
    warnings = _replace_children(contact, data)
    if data.category_ids is not None:
        _set_categories(contact, data.category_ids)
    refresh_search(contact)
    return warnings


def note_add(*, contact: Contact, actor: User | None, body: str, kind: str = NoteKind.NOTE) -> Note:
    return Note.objects.create(
        account_id=contact.account_id, contact=contact, author=actor, kind=kind, body=body.strip()
    )


def task_create(
    *,
    account_id: int,
    title: str,
    due_on: date | None,
    actor: User | None,
    about: Any = None,
    notes: str = "",
) -> Task:
    task = Task(
        account_id=account_id,
        title=title,
        due_on=due_on,
        notes=notes,
        created_by=actor,
        assigned_to=actor,
    )
    if about is not None:
        task.related_type = ContentType.objects.get_for_model(type(about))
        task.related_id = str(about.pk)
    task.save()
    return task


def category_by_key(account_id: int, key: str) -> Category:
    """A built-in category (cold, christmas…), recreated if someone managed to lose it."""
    from crm.services import DEFAULT_CATEGORIES

    category = Category.objects.for_account(account_id).filter(key=key).first()
    if category is None:
        name = next(n for k, n, _ in DEFAULT_CATEGORIES if k == key)
        category = Category.objects.create(account_id=account_id, key=key, name=name)
    return category


def _add_category(contact: Contact, category: Category) -> None:
    ContactCategory.objects.get_or_create(
        account_id=contact.account_id, contact=contact, category=category
    )


@transaction.atomic
def phone_set_status(*, phone: Phone, status: str, actor: User | None) -> Phone:
    """BAD (disconnected) or DNC (asked not to be called), with a dated note; DNC adds Cold."""
    if status not in PhoneStatus.values:
        raise ValidationError(f"Unknown phone status {status!r}.")
    if phone.status == status:
        return phone
    phone.status = status
    phone.status_changed_at = timezone.now()
    phone.status_changed_by = actor
    phone.save()
    contact = phone.contact
    today = timezone.localdate().isoformat()
    bodies = {
        PhoneStatus.BAD: f"(BAD) {phone.display} disconnected, {today}.",
        PhoneStatus.DNC: f"(DNC) {phone.display}: asked not to be called, {today}.",
        PhoneStatus.OK: f"{phone.display} marked OK again, {today}.",
    }
    note_add(contact=contact, actor=actor, kind=NoteKind.SYSTEM, body=bodies[PhoneStatus(status)])
    if status == PhoneStatus.DNC:
        _add_category(contact, category_by_key(contact.account_id, "cold"))
    return phone


@transaction.atomic
def contact_log(
    *,
    contact: Contact,
    actor: User | None,
    kind: str,
    body: str = "",
    follow_up_on: date | None = None,
    phone: Phone | None = None,
    phone_status: str | None = None,
) -> Note:
    """Log a call, text, email or meeting. A meaningful contact sends the person to the
    bottom of the call-down list; a follow-up date makes a task."""
    if kind not in NoteKind.values or kind == NoteKind.SYSTEM:
        raise ValidationError({"kind": "Choose what happened."})
    note = note_add(contact=contact, actor=actor, kind=kind, body=body)
    contact_logged.send(sender=Contact, contact=contact, note=note)
    if kind in MEANINGFUL_CONTACT:
        contact.last_contacted_at = note.created_at
        contact.save(update_fields=["last_contacted_at", "updated_at"])
    if follow_up_on is not None:
        task_create(
            account_id=contact.account_id,
            title=f"Follow up with {contact}",
            due_on=follow_up_on,
            actor=actor,
            about=contact,
            notes=body,
        )
    if phone is not None and phone_status:
        if phone.contact_id != contact.pk:
            raise ValidationError({"phone": "That phone belongs to someone else."})
        phone_set_status(phone=phone, status=phone_status, actor=actor)
    return note


# ---- trash -----------------------------------------------------------------------------


def contacts_trash(*, contacts: QuerySet[Contact], actor: User | None) -> int:
    """Move to the trash (restorable for 30 days)."""
    return _move_trash(contacts=contacts, actor=actor, into_trash=True)


def contacts_restore(*, contacts: QuerySet[Contact], actor: User | None) -> int:
    return _move_trash(contacts=contacts, actor=actor, into_trash=False)


def _move_trash(*, contacts: QuerySet[Contact], actor: User | None, into_trash: bool) -> int:
    now = timezone.now()
    with transaction.atomic():
        movable = contacts.filter(deleted_at__isnull=into_trash)
        rows = list(movable.values_list("pk", "account_id"))
        if not rows:
            return 0
        ids = [pk for pk, _ in rows]
        Contact.objects.filter(pk__in=ids).update(
            deleted_at=now if into_trash else None, deleted_by=actor if into_trash else None
        )
        if into_trash:
            action, changes = AuditAction.DELETE, {"deleted_at": [None, now.isoformat()]}
            changes["note"] = [None, "moved to the trash"]
        else:
            action, changes = AuditAction.UPDATE, {"deleted_at": ["trash", None]}
            changes["note"] = [None, "restored from the trash"]
        audit_bulk(account_id=rows[0][1], model=Contact, ids=ids, action=action, changes=changes)
    return len(ids)


def trash_purge(*, account_id: int, older_than_days: int = TRASH_DAYS) -> int:
    """Delete for good what has been in the trash longer than the grace period."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    expired = Contact.objects.for_account(account_id).filter(deleted_at__lt=cutoff)
    ids = list(expired.values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        Contact.objects.filter(spouse_id__in=ids).update(spouse=None)
        Contact.objects.filter(referred_by_id__in=ids).update(referred_by=None)
        audit_bulk(
            account_id=account_id,
            model=Contact,
            ids=ids,
            action=AuditAction.DELETE,
            changes={"note": [None, f"purged after {older_than_days} days in the trash"]},
        )
        from crm.audit import audit_suspended

        with audit_suspended():  # the purge itself is recorded above, once per person
            Contact.objects.filter(pk__in=ids).delete()
    return len(ids)


# ---- categories in bulk -----------------------------------------------------------------


def contacts_add_categories(*, contacts: QuerySet[Contact], categories: Sequence[Category]) -> int:
    if not categories:
        return 0
    account_id = categories[0].account_id
    ids = list(contacts.values_list("pk", flat=True))
    links = [
        ContactCategory(account_id=account_id, contact_id=pk, category=category)
        for category in categories
        for pk in ids
    ]
    with transaction.atomic():
        created = ContactCategory.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
        audit_bulk(
            account_id=account_id,
            model=Contact,
            ids=ids,
            action=AuditAction.UPDATE,
            changes={"categories": [None, "added " + ", ".join(c.name for c in categories)]},
        )
    return len(created)


def contacts_remove_categories(
    *, contacts: QuerySet[Contact], categories: Sequence[Category]
) -> int:
    if not categories:
        return 0
    account_id = categories[0].account_id
    ids = list(contacts.values_list("pk", flat=True))
    with transaction.atomic():
        from crm.audit import audit_suspended

        with audit_suspended():
            removed, _ = ContactCategory.objects.filter(
                account_id=account_id, contact_id__in=ids, category__in=list(categories)
            ).delete()
        audit_bulk(
            account_id=account_id,
            model=Contact,
            ids=ids,
            action=AuditAction.UPDATE,
            changes={"categories": ["removed " + ", ".join(c.name for c in categories), None]},
        )
    return removed


@transaction.atomic
def contacts_swap_category(*, contacts: QuerySet[Contact], remove: Category, add: Category) -> None:
    """Out of one category and into another in one step (Christmas -> Cold, say)."""
    contacts_remove_categories(contacts=contacts, categories=[remove])
    contacts_add_categories(contacts=contacts, categories=[add])


def contacts_mark_cold(*, contacts: QuerySet[Contact], account_id: int) -> int:
    return contacts_add_categories(
        contacts=contacts, categories=[category_by_key(account_id, "cold")]
    )


# ---- deceased --------------------------------------------------------------------------


@transaction.atomic
def contact_mark_deceased(
    *,
    contact: Contact,
    actor: User | None,
    deceased_on: date | None = None,
    follow_up_days: int = 60,
) -> Task:
    """In one go: phones and emails into a dated note and out of the record, no more
    birthday or anniversary reminders, every automation stopped, the surviving spouse
    made the household's contact with the salutation in their name alone, and a task
    to reach the survivor or the executor."""
    if contact.is_deceased:
        raise ValidationError("This person is already marked deceased.")
    deceased_on = deceased_on or timezone.localdate()
    phones = list(contact.phones.all())
    emails = list(contact.emails.all())
    lines = [f"Deceased {deceased_on:%B %-d, %Y}."]
    if phones:
        lines.append(
            "Phones were: " + "; ".join(f"{p.display} ({p.get_label_display()})" for p in phones)
        )
    if emails:
        lines.append("Emails were: " + "; ".join(e.address for e in emails))
    if contact.birthday:
        lines.append(f"Birthday was {contact.birthday:%B %-d}.")
    note_add(contact=contact, actor=actor, kind=NoteKind.SYSTEM, body="\n".join(lines))
    for phone in phones:
        phone.delete()
    for email in emails:
        email.delete()
    contact.deceased_on = deceased_on
    contact.stop_automations = True
    contact.birthday = None
    contact.home_anniversary = None
    contact.save()
    refresh_search(contact)

    survivor = contact.spouse if contact.spouse and not contact.spouse.is_deceased else None
    if survivor is None:
        survivor = Contact.objects.filter(spouse=contact, deceased_on__isnull=True).first()
    if survivor is not None:
        survivor.salutation = survivor.full_name
        if survivor.spouse_id == contact.pk:
            survivor.spouse = None
        survivor.save()
        if not survivor.addresses.exists():
            for address in contact.addresses.filter(is_mailing=True):
                address.pk = None
                address.contact = survivor
                address.save()
        note_add(
            contact=survivor,
            actor=actor,
            kind=NoteKind.SYSTEM,
            body=(
                f"{contact.full_name} died {deceased_on:%B %-d, %Y}. "
                f"Letters now go to {survivor.full_name} alone."
            ),
        )
        refresh_search(survivor)
        title = f"Reach {survivor.full_name} after {contact.full_name}'s death"
        about: Contact = survivor
    else:
        title = f"Reach the family or executor of {contact.full_name}"
        about = contact
    return task_create(
        account_id=contact.account_id,
        title=title,
        due_on=timezone.localdate() + timedelta(days=follow_up_days),
        actor=actor,
        about=about,
    )


# ---- smart lists ------------------------------------------------------------------------


def smartlist_save(*, account: Account, actor: User | None, name: str, query: str) -> SmartList:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the list a name."})
    smart, _ = SmartList.objects.update_or_create(
        account=account, name=name, defaults={"query": query, "created_by": actor}
    )
    return smart
