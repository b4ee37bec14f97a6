"""Writing one batch of imported people: new people in bulk, matching people updated in
replace mode, each with what undo needs.

The batch runs inside the caller's transaction, so a crash leaves either every person of
the batch written whole, or none of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone

from contacts.models import (
    Address,
    Contact,
    ContactCategory,
    Email,
    Note,
    NoteKind,
    Phone,
    month_day,
)
from contacts.phones import ParsedPhone, parse_phone
from contacts.search import build_search_text, fold
from contacts.services import refresh_search
from crm.audit import audit_bulk, plain_value
from crm.bulk import insert_many
from crm.models import Account, AuditAction, Category, User
from crm.services import category_create
from prospects.import_mapping import ImportPerson
from prospects.models import ImportChange, ImportRun, Lead, LeadSource, Stage

BATCH = 1000
CONTACT_FIELDS: tuple[str, ...] = ("first_name", "last_name", "salutation", "company")
CONTACT_FIELDS += ("birthday", "home_anniversary")
ADDRESS_PARTS = ("street", "unit", "city", "state", "postal_code", "country")


@dataclass
class Lookups:
    """The account's categories and lead sources by lower-case name, made on first use."""

    account: Account
    region: str
    categories: dict[str, int] = field(default_factory=dict)
    sources: dict[str, tuple[int, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, account: Account) -> Lookups:
        found = cls(account=account, region=account.default_region or "US")
        for category in Category.objects.for_account(account):
            found.categories[category.name.lower()] = category.pk
        for source in LeadSource.objects.for_account(account):
            found.sources[source.name.lower()] = (source.pk, source.name)
        return found

    def category_ids(self, names: Iterable[str], person: ImportPerson) -> list[int]:
        ids = []
        for name in names:
            key = name.lower()
            if key not in self.categories:
                try:
                    self.categories[key] = category_create(account=self.account, name=name).pk
                except ValidationError as exc:
                    person.warnings.append(f"Category “{name}” left out: {' '.join(exc.messages)}")
                    continue
            ids.append(self.categories[key])
        return ids

    def source(self, name: str) -> tuple[int, str] | None:
        key = name.strip().lower()
        if not key:
            return None
        if key not in self.sources:
            made = LeadSource.objects.create(account=self.account, name=name.strip())
            self.sources[key] = (made.pk, made.name)
        return self.sources[key]


@dataclass
class Settings:
    """The choices made for the whole import."""

    run: ImportRun
    database: str
    category_ids: list[int]
    lead_source_id: int | None
    actor: User | None


@dataclass
class Prepared:
    person: ImportPerson
    phones: list[ParsedPhone]
    category_ids: list[int]
    source: tuple[int, str] | None


def prepare(person: ImportPerson, lookups: Lookups, settings: Settings) -> Prepared:
    phones = []
    for raw, _label in person.phones:
        parsed = parse_phone(raw, lookups.region)
        if not parsed.ok:
            person.warnings.append(f"Kept “{raw}” as typed: it does not look like a phone number.")
        phones.append(parsed)
    chosen = [*settings.category_ids, *lookups.category_ids(person.categories, person)]
    source = lookups.source(person.lead_source) if person.lead_source else None
    if source is None and settings.lead_source_id:
        source = next(
            (v for v in lookups.sources.values() if v[0] == settings.lead_source_id), None
        )
    return Prepared(person, phones, list(dict.fromkeys(chosen)), source)


def match_keys(item: Prepared) -> list[str]:
    """What makes two rows the same person: an email, a phone, or failing both the name
    with the street."""
    keys = [f"e:{e}" for e in item.person.emails]
    keys += [f"p:{p.digits}" for p in item.phones if p.digits]
    if not keys:
        f = item.person.fields
        keys.append(
            "n:"
            + "|".join(fold(str(f.get(k) or "")) for k in ("first_name", "last_name"))
            + "|"
            + fold(str(f.get("company") or ""))
            + "|"
            + fold(item.person.address["street"])
        )
    return keys


def find_existing(account_id: int, items: list[Prepared]) -> dict[str, int]:
    """Match key -> the id of a live person of the account who has it."""
    emails = {e for i in items for e in i.person.emails}
    digits = {p.digits for i in items for p in i.phones if p.digits}
    last_names = {
        str(i.person.fields.get("last_name") or "")
        for i in items
        if not (i.person.emails or i.phones)
    }
    live = {"contact__deleted_at__isnull": True, "contact__merged_into__isnull": True}
    found: dict[str, int] = {}
    if emails:
        for address, cid in (
            Email.objects.for_account(account_id)
            .filter(address__in=emails, **live)
            .order_by("contact_id")
            .values_list("address", "contact_id")
        ):
            found.setdefault(f"e:{address}", cid)
    if digits:
        for number, cid in (
            Phone.objects.for_account(account_id)
            .filter(digits__in=digits, **live)
            .order_by("contact_id")
            .values_list("digits", "contact_id")
        ):
            found.setdefault(f"p:{number}", cid)
    if last_names:
        people = (
            Contact.objects.for_account(account_id)
            .alive()
            .filter(last_name__in=last_names, merged_into__isnull=True)
            .order_by("pk")
            .prefetch_related("addresses")
        )
        for person in people:
            streets = [a.street for a in person.addresses.all() if a.is_mailing] or [""]
            for street in streets:
                key = "n:" + "|".join(
                    fold(v) for v in (person.first_name, person.last_name, person.company, street)
                )
                found.setdefault(key, person.pk)
    return found


# ---- creating ---------------------------------------------------------------------------------


def _leftover_note(person: ImportPerson, filename: str) -> str:
    if not person.leftovers:
        return ""
    lines = "\n".join(person.leftovers)
    return f"Imported from {filename}; these values could not be used as they were:\n{lines}"


def create_people(items: list[Prepared], settings: Settings) -> list[int]:
    """Everyone in ``items`` as new people, in file order, with their child rows; returns
    their ids. Rows go in as plain values (crm.bulk), not model instances: at 100,000 rows
    building the instances cost more than the inserts."""
    if not items:
        return []
    run, account_id, now = settings.run, settings.run.account_id, timezone.now()
    contacts: list[dict[str, Any]] = []
    for item in items:
        p = item.person
        streets = [p.address["street"]] if p.address["street"] else []
        contacts.append(
            {
                "account_id": account_id,
                "database": settings.database,
                "lead_source": item.source[1] if item.source else "",
                "created_at": now,
                "updated_at": now,
                "birthday_md": month_day(p.fields.get("birthday")),
                "anniversary_md": month_day(p.fields.get("home_anniversary")),
                "search_text": build_search_text(
                    names=[
                        f"{p.fields['first_name']} {p.fields['last_name']}".strip(),
                        str(p.fields["company"]),
                        str(p.fields["salutation"]),
                    ],
                    emails=p.emails,
                    phone_digits=[ph.digits for ph in item.phones],
                    streets=streets,
                ),
                **{k: p.fields[k] for k in CONTACT_FIELDS if k in p.fields},
            }
        )
    ids = insert_many(Contact, contacts, returning=True)
    phones, emails, addresses, links, leads, notes, changes = [], [], [], [], [], [], []
    mine = {"account_id": account_id, "created_at": now}
    for contact_id, item in zip(ids, items, strict=True):
        p = item.person
        person = {**mine, "contact_id": contact_id}
        for position, (parsed, (_raw, label)) in enumerate(zip(item.phones, p.phones, strict=True)):
            phones.append({**person, "label": label, "raw": parsed.raw, "e164": parsed.e164,
                           "digits": parsed.digits, "position": position})  # fmt: skip
        for position, address in enumerate(p.emails):
            emails.append({**person, "address": address, "position": position})
        if any(p.address[k] for k in ("street", "city", "postal_code")):
            addresses.append({**person, **p.address, "country": p.address["country"] or "US"})
        links += [{**person, "category_id": cid} for cid in item.category_ids]
        if settings.database == "prospects" or p.has_lead_details or item.source:
            lead: dict[str, Any] = {k: v for k, v in p.lead.items() if v}
            lead["source_id"] = item.source[0] if item.source else None
            leads.append({"account_id": account_id, "contact_id": contact_id,
                          "received_at": now, "imported": True, **lead})  # fmt: skip
        for body, kind in ((p.notes, NoteKind.NOTE), (_leftover_note(p, run.filename), "system")):
            if body:
                author = settings.actor.pk if settings.actor else None
                notes.append({**person, "kind": kind, "body": body, "author_id": author})
        changes.append({"account_id": account_id, "run_id": run.pk, "contact_id": contact_id,
                        "row_number": p.row, "created": True, "before": {}})  # fmt: skip
    for model, rows in (
        (Phone, phones), (Email, emails), (Address, addresses), (ContactCategory, links),
        (Lead, leads), (Note, notes), (ImportChange, changes),
    ):  # fmt: skip
        insert_many(model, rows)
    reprs = {
        cid: (f"{c['first_name']} {c['last_name']}".strip() or str(c["company"]) or "(no name)")[
            :200
        ]
        for cid, c in zip(ids, contacts, strict=True)
    }
    audit_bulk(
        account_id=account_id,
        model=Contact,
        ids=ids,
        action=AuditAction.CREATE,
        changes={"import": [None, run.filename]},
        reprs=reprs,
    )
    return ids


# ---- replacing ---------------------------------------------------------------------------------


def _people_with_children(account_id: int, ids: Iterable[int]) -> dict[int, Contact]:
    query = Contact.objects.for_account(account_id).filter(pk__in=list(ids))
    query = query.prefetch_related(
        Prefetch("phones", queryset=Phone.objects.order_by("position", "id")),
        Prefetch("emails", queryset=Email.objects.order_by("position", "id")),
        Prefetch("addresses", queryset=Address.objects.order_by("-is_mailing", "position", "id")),
        "category_links",
        Prefetch("notes", queryset=Note.objects.only("contact_id", "body")),
    ).select_related("lead")
    return {c.pk: c for c in query}


def update_person(contact: Contact, item: Prepared, settings: Settings) -> dict[str, Any] | None:
    """Bring ``contact`` up to the row's newer data; what it was before, or None when the
    row held nothing new. Blank cells never erase what the person has."""
    p, account_id = item.person, contact.account_id
    before: dict[str, Any] = {}
    changed_fields = {}
    for name in CONTACT_FIELDS:
        value = p.fields.get(name)
        if value not in (None, "") and getattr(contact, name) != value:
            changed_fields[name] = plain_value(getattr(contact, name))
            setattr(contact, name, value)
    if item.source and contact.lead_source != item.source[1]:
        changed_fields["lead_source"] = contact.lead_source
        contact.lead_source = item.source[1]
    if changed_fields:
        contact.save(update_fields=[*changed_fields, "updated_at"])
        before["fields"] = changed_fields

    known_digits = {ph.digits for ph in contact.phones.all()}
    position = len(known_digits)
    added_phones = []
    for parsed, (_raw, label) in zip(item.phones, p.phones, strict=True):
        if parsed.digits and parsed.digits not in known_digits:
            phone = Phone.objects.create(account_id=account_id, contact=contact, label=label,
                                         raw=parsed.raw, e164=parsed.e164, digits=parsed.digits,
                                         position=position)  # fmt: skip
            known_digits.add(parsed.digits)
            added_phones.append(phone.pk)
            position += 1
    known_emails = {e.address.lower() for e in contact.emails.all()}
    added_emails = []
    for address in p.emails:
        if address not in known_emails:
            email = Email.objects.create(account_id=account_id, contact=contact,
                                         address=address, position=len(known_emails))  # fmt: skip
            known_emails.add(address)
            added_emails.append(email.pk)
    if added_phones:
        before["phones"] = added_phones
    if added_emails:
        before["emails"] = added_emails

    new_address = {k: v for k, v in p.address.items() if v}
    if new_address.keys() & {"street", "city", "postal_code"}:
        mailing = next((a for a in contact.addresses.all() if a.is_mailing), None)
        if mailing is None:
            made = Address.objects.create(
                account_id=account_id, contact=contact, **{"country": "US", **new_address}
            )
            before["address"] = {"added": made.pk}
        elif any(getattr(mailing, k) != v for k, v in new_address.items()):
            before["address"] = {
                "id": mailing.pk,
                "values": {k: getattr(mailing, k) for k in (*ADDRESS_PARTS, "status")},
            }
            for key, value in new_address.items():
                setattr(mailing, key, value)
            mailing.status = "ok"  # a new address clears "returned mail"
            mailing.save()

    have = {link.category_id for link in contact.category_links.all()}
    added_links = [
        ContactCategory.objects.create(account_id=account_id, contact=contact, category_id=cid).pk
        for cid in item.category_ids
        if cid not in have
    ]
    if added_links:
        before["categories"] = added_links

    lead_change = _update_lead(contact, item, settings)
    if lead_change:
        before["lead"] = lead_change

    bodies = {n.body for n in contact.notes.all()}
    added_notes = []
    for body, kind in (
        (p.notes, NoteKind.NOTE),
        (_leftover_note(p, settings.run.filename), "system"),
    ):
        if body and body not in bodies:
            note = Note.objects.create(account_id=account_id, contact=contact, kind=kind,
                                       body=body, author=settings.actor)  # fmt: skip
            added_notes.append(note.pk)
    if added_notes:
        before["notes"] = added_notes
    if before.keys() - {"notes"} or added_notes:
        refresh_search(contact)
    return before or None


def _update_lead(contact: Contact, item: Prepared, settings: Settings) -> dict[str, Any] | None:
    p = item.person
    lead = getattr(contact, "lead", None)
    wanted: dict[str, Any] = {k: v for k, v in p.lead.items() if v}
    if item.source:
        wanted["source_id"] = item.source[0]
    if lead is None:
        if not (wanted or contact.database == "prospects"):
            return None
        made = Lead.objects.create(
            account_id=contact.account_id,
            contact=contact,
            imported=True,
            **{"stage": Stage.NEW, **wanted},
        )
        return {"added": made.pk}
    old = {k: getattr(lead, k) for k, v in wanted.items() if getattr(lead, k) != v}
    if not old:
        return None
    for key in old:
        setattr(lead, key, wanted[key])
    lead.save(update_fields=list(old))
    return {"id": lead.pk, "values": old}


def replace_people(
    pairs: list[tuple[int, Prepared]], settings: Settings
) -> tuple[int, list[Prepared]]:
    """Update each matched person; returns how many changed and the rows that held
    nothing new (skipped as already up to date)."""
    people = _people_with_children(settings.run.account_id, [cid for cid, _ in pairs])
    changes, unchanged = [], []
    for cid, item in pairs:
        contact = people.get(cid)
        if contact is None:
            continue
        before = update_person(contact, item, settings)
        if before is None:
            unchanged.append(item)
            continue
        changes.append(
            ImportChange(
                account_id=contact.account_id,
                run=settings.run,
                contact=contact,
                row_number=item.person.row,
                created=False,
                before=before,
            )
        )
    ImportChange.objects.bulk_create(changes)
    return len(changes), unchanged
