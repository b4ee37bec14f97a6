"""The audit trail: every create, update and delete of tenant data, field by field.

Model signals catch saves and deletes of every audited model. Bulk writes
(``update``, ``bulk_create``) skip signals, so the services that use them call
``audit_record`` themselves.
"""

from __future__ import annotations

import contextvars
import datetime
import decimal
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from crm.tenancy import current_user_id

_SKIP_FIELDS = {"id", "account", "created_at", "updated_at"}


_suspended: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_off", default=False)


@contextmanager
def audit_suspended() -> Iterator[None]:
    """For writes the trail must not show row by row: removing a whole account (its trail
    goes with it), or a service that writes one summary entry itself (a merge)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def _is_audited(sender: Any) -> bool:
    return (
        isinstance(sender, type)
        and bool(getattr(sender, "audited", False))
        and not _suspended.get()
    )


def plain_value(value: Any) -> Any:
    """A JSON-safe form of a field value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    return str(value)


def _audited_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    exclude = _SKIP_FIELDS | set(getattr(model, "audit_exclude", ()))
    return [f for f in model._meta.concrete_fields if f.name not in exclude]


def _subject(instance: models.Model) -> tuple[type[models.Model], Any]:
    """The record whose page shows this change (a phone's person, say, or itself),
    read from the foreign key's column so no query is needed."""
    parent = getattr(type(instance), "audit_parent", None)
    if parent:
        field = type(instance)._meta.get_field(parent)
        parent_id = getattr(instance, field.attname, None)  # type: ignore[union-attr]
        if parent_id is not None:
            return field.related_model, parent_id  # type: ignore[return-value]
    return type(instance), instance.pk


def snapshot(instance: models.Model) -> dict[str, Any]:
    return {
        f.name: plain_value(f.value_from_object(instance)) for f in _audited_fields(type(instance))
    }


def audit_record(
    *,
    account_id: int,
    instance: models.Model,
    action: str,
    changes: dict[str, Any],
    actor_id: int | None = None,
    object_repr: str | None = None,
) -> None:
    from crm.models import AuditEntry

    subject_model, subject_id = _subject(instance)
    AuditEntry.objects.create(
        account_id=account_id,
        actor_id=actor_id if actor_id is not None else current_user_id(),
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance), for_concrete_model=False),
        object_id=str(instance.pk),
        subject_type=ContentType.objects.get_for_model(subject_model, for_concrete_model=False),
        subject_id=str(subject_id),
        object_repr=(object_repr if object_repr is not None else str(instance))[:200],
        changes=changes,
    )


def audit_bulk(
    *,
    account_id: int,
    model: type[models.Model],
    ids: Iterable[Any],
    action: str,
    changes: dict[str, Any],
    reprs: dict[Any, str] | None = None,
) -> int:
    """One entry per record for a bulk write that skipped the model signals."""
    from crm.bulk import insert_many
    from crm.models import AuditEntry

    ids = list(ids)
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    actor_id = current_user_id()
    now = timezone.now()
    if reprs is None:
        reprs = {
            obj.pk: str(obj)[:200]
            for obj in model._base_manager.filter(pk__in=list(ids)).only(*_repr_fields(model))
        }
    entries = [
        {
            "account_id": account_id,
            "actor_id": actor_id,
            "action": action,
            "content_type_id": content_type.pk,
            "object_id": str(pk),
            "subject_type_id": content_type.pk,
            "subject_id": str(pk),
            "object_repr": reprs.get(pk, str(pk)),
            "changes": changes,
            "created_at": now,
        }
        for pk in ids
    ]
    insert_many(AuditEntry, entries)
    return len(entries)


def _repr_fields(model: type[models.Model]) -> list[str]:
    names = {f.name for f in model._meta.concrete_fields}
    wanted: list[str] = [
        n for n in ("first_name", "last_name", "company", "name", "title") if n in names
    ]
    return wanted or ["pk"]


def _remember_old(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if not _is_audited(sender) or instance.pk is None or kwargs.get("raw"):
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_old = snapshot(old) if old is not None else None  # type: ignore[attr-defined]


def _record_save(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    if not _is_audited(sender) or kwargs.get("raw"):
        return
    new = snapshot(instance)
    old = getattr(instance, "_audit_old", None)
    if created or old is None:
        changes = {name: [None, value] for name, value in new.items() if value not in (None, "")}
        action = "create"
    else:
        changes = {
            name: [old.get(name), value] for name, value in new.items() if old.get(name) != value
        }
        action = "update"
        if not changes:
            return
    instance._audit_old = new  # type: ignore[attr-defined]
    audit_record(
        account_id=instance.account_id,  # type: ignore[attr-defined]
        instance=instance,
        action=action,
        changes=changes,
    )


def _record_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if not _is_audited(sender):
        return
    account_id = instance.account_id  # type: ignore[attr-defined]
    changes = {
        name: [value, None] for name, value in snapshot(instance).items() if value not in (None, "")
    }
    audit_record(account_id=account_id, instance=instance, action="delete", changes=changes)


def connect_signals() -> None:
    pre_save.connect(_remember_old, dispatch_uid="audit_pre_save")
    post_save.connect(_record_save, dispatch_uid="audit_post_save")
    post_delete.connect(_record_delete, dispatch_uid="audit_post_delete")


def field_label(model: type[models.Model] | None, name: str) -> str:
    if model is None:
        return name.replace("_", " ")
    try:
        field = model._meta.get_field(name)
    except Exception:
        return name.replace("_", " ")
    return str(getattr(field, "verbose_name", name.replace("_", " ")))
