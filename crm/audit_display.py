"""Audit entries in words: names instead of ids, Yes/No, readable dates, choice labels.

Linked records are looked up once per model for a whole page of entries, so the
activity log keeps a constant number of queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from crm.audit import field_label
from crm.models import AuditEntry


@dataclass(frozen=True)
class ChangeLine:
    field: str
    old: Any
    new: Any


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except Exception:
        return None
    return field if isinstance(field, models.Field) else None


def _pairs(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    rows = []
    for name, pair in (entry.changes or {}).items():
        old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        rows.append((name, old, new))
    return rows


def _linked_names(entries: Sequence[AuditEntry]) -> dict[type[models.Model], dict[str, str]]:
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        for name, old, new in _pairs(entry):
            field = _field(model, name)
            if field is not None and field.many_to_one and field.related_model is not None:
                wanted[field.related_model].update(v for v in (old, new) if v is not None)  # type: ignore[index]
    names: dict[type[models.Model], dict[str, str]] = {}
    for related, ids in wanted.items():
        rows = related._base_manager.filter(pk__in=list(ids))
        names[related] = {str(obj.pk): str(obj) for obj in rows}
    return names


def _words(
    field: models.Field[Any, Any] | None,
    value: Any,
    names: dict[type[models.Model], dict[str, str]],
) -> Any:
    if value is None or value == "":
        return value
    if field is None:
        return value
    if field.many_to_one and field.related_model is not None:
        return names.get(field.related_model, {}).get(str(value), f"#{value}")  # type: ignore[arg-type]
    if isinstance(field, models.BooleanField):
        return "Yes" if value else "No"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            return timezone.localtime(moment).strftime("%b %-d, %Y %-I:%M %p")
    if isinstance(field, models.DateField) and isinstance(value, str):
        day = parse_date(value)
        if isinstance(day, datetime.date):
            return day.strftime("%b %-d, %Y")
    return value


def describe(entries: Sequence[AuditEntry]) -> list[tuple[AuditEntry, list[ChangeLine]]]:
    """Each entry with its changes in words, for a page of entries at a time."""
    names = _linked_names(entries)
    described = []
    for entry in entries:
        model = entry.content_type.model_class()
        parent = getattr(model, "audit_parent", None)
        lines = []
        for name, old, new in _pairs(entry):
            if name == parent:
                continue  # the history already is the parent's page
            field = _field(model, name)
            lines.append(
                ChangeLine(
                    field=field_label(model, name),
                    old=_words(field, old, names),
                    new=_words(field, new, names),
                )
            )
        described.append((entry, lines))
    return described
