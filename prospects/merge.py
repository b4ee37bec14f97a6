"""Merging people: two records or a cluster become one survivor, undoable for 30 days.

Rows that point at a person are found generically (every foreign key and one-to-one to
``Contact`` from any app, every generic foreign key, the audit trail's subject), so a
later issue's rows follow the survivor without touching this module. ``Merge.snapshot``
records which rows moved from whom and every field value before, which is all undo needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from contacts.models import Contact, Email, Phone
from contacts.services import refresh_search
from crm.audit import audit_record, audit_suspended, plain_value
from crm.models import AuditAction, AuditEntry, User
from prospects.models import DuplicateDismissal, Merge

UNDO_DAYS = 30

# The person fields whose surviving value is chosen one by one.
MERGE_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "salutation",
    "company",
    "vendor_type",
    "birthday",
    "home_anniversary",
    "how_met",
    "lead_source",
    "database",
    "spouse",
    "referred_by",
    "stop_automations",
)

# Pointers that must stay where they are: the merge bookkeeping itself, and decisions
# about a pair of people that make no sense once one of the pair is gone.
_STAYS: set[tuple[type[models.Model], str]] = {
    (Contact, "merged_into"),
    (Merge, "survivor"),
    (DuplicateDismissal, "first"),
    (DuplicateDismissal, "second"),
}

# Child rows that would repeat a value the survivor already has: kept once (the extra
# row stays with the absorbed person, so undo has nothing to recreate).
_SAME_VALUE: dict[type[models.Model], Callable[[Any], str]] = {
    Phone: lambda p: p.e164 or p.digits or p.raw.strip(),
    Email: lambda e: e.address.strip().lower(),
}

# A repeated phone or email keeps the strictest status of the two (compliance first).
_STATUS_RANK: dict[type[models.Model], dict[str, int]] = {
    Phone: {"ok": 0, "bad": 1, "dnc": 2},
    Email: {"ok": 0, "hard_bounce": 1, "opted_out": 2, "complaint": 3},
}


def _field_values(contact: Contact) -> dict[str, Any]:
    """The chosen-by-field values of a person, JSON-safe (a link as its id)."""
    return {
        name: plain_value(Contact._meta.get_field(name).value_from_object(contact))  # type: ignore[union-attr]
        for name in MERGE_FIELDS
    }


def _set_field_values(contact: Contact, values: dict[str, Any]) -> None:
    for name, value in values.items():
        field = Contact._meta.get_field(name)
        setattr(contact, field.attname, None if value is None else field.to_python(value))  # type: ignore[union-attr]


def _pointing_fields() -> list[models.ForeignObject[Any, Any]]:
    """Every foreign key and one-to-one to a person, hidden reverse names included
    (``spouse`` is declared with ``related_name="+"``)."""
    found = []
    for rel in Contact._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        field = rel.field  # type: ignore[union-attr]
        if (field.model, field.name) in _STAYS:
            continue
        found.append(field)
    return sorted(found, key=lambda f: (f.model._meta.label, f.name))


def _generic_fields() -> list[tuple[type[models.Model], str, str]]:
    """(model, content type field, object id field) of every generic foreign key."""
    found = []
    for model in apps.get_models():
        for private in model._meta.private_fields:
            if isinstance(private, GenericForeignKey):
                found.append((model, private.ct_field, private.fk_field))
    return found


def _unique_sets(model: type[models.Model], field: models.Field[Any, Any]) -> list[list[str]]:
    """For each uniqueness rule that includes ``field``, the attnames of its other fields."""
    groups: list[tuple[str, ...]] = [tuple(g) for g in model._meta.unique_together]
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            groups.append(tuple(constraint.fields))
    if field.unique:
        groups.append((field.name,))
    return [
        [model._meta.get_field(n).attname for n in group if n != field.name]  # type: ignore[union-attr]
        for group in groups
        if field.name in group
    ]


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _check_people(survivor: Contact, others: Sequence[Contact]) -> None:
    if not others:
        raise ValidationError("Choose at least one other person to merge.")
    if any(o.pk == survivor.pk for o in others) or len({o.pk for o in others}) != len(others):
        raise ValidationError("Each person can be merged only once.")
    if any(o.account_id != survivor.account_id for o in others):
        raise ValidationError("People of different accounts cannot be merged.")
    for person in (survivor, *others):
        if person.merged_into_id is not None:
            raise ValidationError(f"{person} was already merged into someone else.")
        if person.deleted_at is not None:
            raise ValidationError(f"{person} is in the trash; restore them first.")


def _clean_choices(
    survivor: Contact, merged_ids: set[int], field_values: dict[str, Any]
) -> dict[str, Any]:
    unknown = set(field_values) - set(MERGE_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be chosen: {', '.join(sorted(unknown))}.")
    values: dict[str, Any] = {}
    for name, value in field_values.items():
        if name in ("spouse", "referred_by"):
            other_id = value.pk if isinstance(value, Contact) else value
            if other_id is not None:
                other = Contact.objects.for_account(survivor.account_id).filter(pk=other_id).first()
                if other is None:
                    raise ValidationError({name: "Choose a person from this account."})
                if other.pk in merged_ids:
                    other_id = None  # a person cannot be linked to themselves
            values[name] = other_id
        else:
            values[name] = plain_value(value)
    return values


def _move_pointers(
    survivor: Contact, absorbed: Sequence[Contact], merged_ids: set[int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Point every row at the survivor; returns what moved and the statuses tightened."""
    moved: list[dict[str, Any]] = []
    tightened: list[dict[str, Any]] = []
    for field in _pointing_fields():
        model = field.model
        manager = model._base_manager
        unique_sets = _unique_sets(model, field)
        same_value = _SAME_VALUE.get(model)
        theirs = manager.filter(**{field.attname: survivor.pk})
        taken: list[set[tuple[Any, ...]]] = [
            set(theirs.values_list(*attrs)) if attrs else ({()} if theirs.exists() else set())
            for attrs in unique_sets
        ]
        kept: dict[str, Any] = (
            {same_value(row): row for row in manager.filter(**{field.attname: survivor.pk})}
            if same_value
            else {}
        )
        for person in absorbed:
            rows = manager.filter(**{field.attname: person.pk})
            if model is Contact:
                rows = rows.exclude(pk__in=merged_ids)  # the merged people's own links stay
            ids: list[Any] = []
            for row in rows.order_by("pk"):
                keys = [tuple(getattr(row, a) for a in attrs) for attrs in unique_sets]
                if any(key in seen for key, seen in zip(keys, taken, strict=True)):
                    continue  # the survivor has it already (a category link, a lead)
                if same_value is not None:
                    value = same_value(row)
                    if value in kept:
                        change = _tighten_status(kept[value], row)
                        if change is not None:
                            tightened.append(change)
                        continue
                    kept[value] = row
                for key, seen in zip(keys, taken, strict=True):
                    seen.add(key)
                ids.append(row.pk)
            if ids:
                manager.filter(pk__in=ids).update(**{field.attname: survivor.pk})
                moved.append(
                    {"model": _label(model), "field": field.attname, "from": person.pk, "ids": ids}
                )
    return moved, tightened


def _tighten_status(kept: Any, extra: Any) -> dict[str, Any] | None:
    """The survivor's copy of a repeated phone or email takes the stricter status."""
    rank = _STATUS_RANK.get(type(kept))
    if rank is None or rank.get(extra.status, 0) <= rank.get(kept.status, 0):
        return None
    before = {
        "model": _label(type(kept)),
        "pk": kept.pk,
        "status": kept.status,
        "status_changed_at": plain_value(kept.status_changed_at),
    }
    type(kept)._base_manager.filter(pk=kept.pk).update(
        status=extra.status, status_changed_at=extra.status_changed_at or timezone.now()
    )
    kept.status = extra.status
    return before


def _move_generic(survivor: Contact, absorbed: Sequence[Contact]) -> list[dict[str, Any]]:
    contact_type = ContentType.objects.get_for_model(Contact)
    moved: list[dict[str, Any]] = []
    for model, ct_field, fk_field in _generic_fields():
        id_field = model._meta.get_field(fk_field)
        ct_attname = model._meta.get_field(ct_field).attname  # type: ignore[union-attr]
        for person in absorbed:
            rows = model._base_manager.filter(
                **{ct_attname: contact_type.pk, fk_field: id_field.to_python(str(person.pk))}  # type: ignore[union-attr]
            )
            ids = list(rows.values_list("pk", flat=True))
            if ids:
                model._base_manager.filter(pk__in=ids).update(
                    **{fk_field: id_field.to_python(str(survivor.pk))}  # type: ignore[union-attr]
                )
                moved.append(
                    {"model": _label(model), "field": fk_field, "from": person.pk, "ids": ids}
                )
    return moved


def _move_history(survivor: Contact, absorbed: Sequence[Contact]) -> list[dict[str, Any]]:
    """The absorbed people's history shows on the survivor's page."""
    contact_type = ContentType.objects.get_for_model(Contact)
    moved: list[dict[str, Any]] = []
    for person in absorbed:
        entries = AuditEntry.objects.filter(
            account_id=survivor.account_id, subject_type=contact_type, subject_id=str(person.pk)
        )
        ids = list(entries.values_list("pk", flat=True))
        if ids:
            AuditEntry.objects.filter(pk__in=ids).update(subject_id=str(survivor.pk))
            moved.append(
                {"model": _label(AuditEntry), "field": "subject_id", "from": person.pk, "ids": ids}
            )
    return moved


def contacts_merge(
    *,
    survivor: Contact,
    others: Iterable[Contact],
    field_values: dict[str, Any],
    actor: User | None,
) -> Merge:
    """Merge ``others`` into ``survivor``: the chosen field values win, every row that
    points at one of the others moves to the survivor, and the others are hidden with
    their old URLs redirecting. ``merge_undo`` reverses it within 30 days."""
    others = list(others)
    _check_people(survivor, others)
    with transaction.atomic():
        people = {
            c.pk: c
            for c in Contact.objects.select_for_update().filter(
                pk__in=[survivor.pk, *(o.pk for o in others)]
            )
        }
        survivor = people[survivor.pk]
        absorbed = [people[o.pk] for o in others]
        _check_people(survivor, absorbed)  # again, under the lock
        merged_ids = set(people)
        values = _clean_choices(survivor, merged_ids, field_values)
        if values.get("spouse") is None and survivor.spouse_id in merged_ids:
            values["spouse"] = None
        if values.get("referred_by") is None and survivor.referred_by_id in merged_ids:
            values["referred_by"] = None

        snapshot: dict[str, Any] = {
            "survivor": _field_values(survivor),
            "absorbed": {
                str(p.pk): {
                    **_field_values(p),
                    "name": str(p),
                    "deleted_at": plain_value(p.deleted_at),
                    "deleted_by": p.deleted_by_id,
                }
                for p in absorbed
            },
        }
        # The history moves first, so this merge's own entries stay where they are written.
        history = _move_history(survivor, absorbed)
        moved, tightened = _move_pointers(survivor, absorbed, merged_ids)
        moved += _move_generic(survivor, absorbed)
        snapshot["moved"] = moved + history
        snapshot["statuses"] = tightened

        _set_field_values(survivor, values)
        survivor.save()
        now = timezone.now()
        for person in absorbed:
            person.merged_into = survivor
            person.deleted_at = now
            person.deleted_by = actor
            person.save(update_fields=["merged_into", "deleted_at", "deleted_by", "updated_at"])
            refresh_search(person)
        refresh_search(survivor)

        with audit_suspended():  # the merge entry below records it, without the snapshot
            merge = Merge.objects.create(
                account_id=survivor.account_id,
                survivor=survivor,
                absorbed_ids=[p.pk for p in absorbed],
                snapshot=snapshot,
                created_by=actor,
            )
        names = ", ".join(f"{p} (#{p.pk})" for p in absorbed)
        audit_record(
            account_id=survivor.account_id,
            instance=survivor,
            action=AuditAction.MERGE,
            changes={"merged": [None, names], "moved rows": [None, _moved_count(moved)]},
            actor_id=actor.pk if actor else None,
        )
    return merge


def _moved_count(moved: list[dict[str, Any]]) -> int:
    return sum(len(entry["ids"]) for entry in moved)


def merge_can_undo(merge: Merge) -> bool:
    return merge.undone_at is None and merge.created_at >= timezone.now() - timedelta(
        days=UNDO_DAYS
    )


def merge_undo(*, merge: Merge, actor: User | None) -> Merge:
    """Every moved row back to whom it came from, the survivor's old values, and the
    absorbed people out of hiding."""
    with transaction.atomic():
        merge = Merge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            raise ValidationError("This merge was undone already.")
        if not merge_can_undo(merge):
            raise ValidationError(f"A merge can be undone for {UNDO_DAYS} days only.")
        survivor = Contact.objects.select_for_update().get(pk=merge.survivor_id)
        if survivor.merged_into_id is not None:
            raise ValidationError(f"{survivor} was merged again since; undo that merge first.")
        absorbed = list(
            Contact.objects.select_for_update().filter(
                account_id=merge.account_id, pk__in=merge.absorbed_ids
            )
        )
        if any(p.merged_into_id != survivor.pk for p in absorbed):
            raise ValidationError("Someone in this merge has changed since; it cannot be undone.")
        snapshot = merge.snapshot
        for entry in snapshot.get("moved", []):
            model = _model(entry["model"])
            field = entry["field"]
            if model is AuditEntry:
                here, there = str(survivor.pk), str(entry["from"])
            else:
                id_field = model._meta.get_field(field)
                here = id_field.to_python(str(survivor.pk))  # type: ignore[union-attr]
                there = id_field.to_python(str(entry["from"]))  # type: ignore[union-attr]
            model._base_manager.filter(pk__in=entry["ids"], **{field: here}).update(
                **{field: there}
            )
        for change in snapshot.get("statuses", []):
            _model(change["model"])._base_manager.filter(pk=change["pk"]).update(
                status=change["status"], status_changed_at=change["status_changed_at"]
            )

        before = dict(snapshot.get("survivor", {}))
        for name in ("spouse", "referred_by"):
            if before.get(name) and not Contact.objects.filter(pk=before[name]).exists():
                before[name] = None  # deleted for good since
        _set_field_values(survivor, before)
        survivor.save()
        refresh_search(survivor)
        for person in absorbed:
            before = snapshot.get("absorbed", {}).get(str(person.pk), {})
            person.merged_into = None
            person.deleted_at = None
            person.deleted_by_id = before.get("deleted_by")
            person.save(update_fields=["merged_into", "deleted_at", "deleted_by", "updated_at"])
            refresh_search(person)

        merge.undone_at = timezone.now()
        merge.save(update_fields=["undone_at"])
        names = ", ".join(f"{p} (#{p.pk})" for p in absorbed)
        audit_record(
            account_id=merge.account_id,
            instance=survivor,
            action=AuditAction.UPDATE,
            changes={"merge undone": [names, None]},
            actor_id=actor.pk if actor else None,
        )
    return merge


def merge_people_names(merge: Merge) -> list[str]:
    """The absorbed people's names as they were at the merge."""
    absorbed = merge.snapshot.get("absorbed", {}) if isinstance(merge.snapshot, dict) else {}
    return [str(values.get("name", f"#{pk}")) for pk, values in absorbed.items()]
