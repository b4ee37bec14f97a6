"""Inserting many rows fast: one ``INSERT … SELECT FROM unnest(…)`` per table on Postgres
(one array per column, so the statement stays small and the server plans it once),
Django's ``bulk_create`` elsewhere.

For imports, where building a model instance per row costs more than the insert itself.
Row-level security applies as to any insert (COPY would not be allowed under it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import psycopg
from django.db import connection, models
from django.utils import timezone

CHUNK = 5000


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _defaults(fields: list[models.Field[Any, Any]]) -> dict[str, Any]:
    now = timezone.now()
    found: dict[str, Any] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            found[f.attname] = now
        elif f.has_default():
            found[f.attname] = f.get_default()
        else:
            found[f.attname] = None if f.null else ("" if f.empty_strings_allowed else None)
    return found


def insert_many(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, returning: bool = False
) -> list[int]:
    """Insert ``rows`` (attname -> value; unnamed columns take the model's defaults) in
    order; with ``returning`` the new primary keys, in the same order."""
    if not rows:
        return []
    fields = _columns(model)
    defaults = _defaults(fields)
    if connection.vendor != "postgresql":
        made = model._default_manager.bulk_create(  # type: ignore[attr-defined]
            [model(**{**defaults, **row}) for row in rows], batch_size=1000
        )
        return [obj.pk for obj in made] if returning else []
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column or f.name) for f in fields)
    casts = ", ".join(f"%s::{_array_type(f)}" for f in fields)
    aliases = ", ".join(f"c{i}" for i in range(len(fields)))
    sql = (
        f"INSERT INTO {table} ({names}) SELECT {aliases} "
        f"FROM unnest({casts}) WITH ORDINALITY AS t({aliases}, n) ORDER BY n"
    )
    if returning:
        pk = model._meta.pk
        assert pk is not None
        sql += f" RETURNING {connection.ops.quote_name(pk.column or pk.name)}"
    ids: list[int] = []
    connection.ensure_connection()
    # Server-side binding (Django's cursors bind on the client, quoting every value of
    # every array into the SQL text): the arrays travel as parameters.
    with psycopg.Cursor(connection.connection) as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            arrays = [_column(f, chunk, defaults[f.attname]) for f in fields]
            cursor.execute(sql, arrays)
            if returning:
                ids.extend(r[0] for r in cursor.fetchall())
    return ids


# Values psycopg sends as they are; anything else (JSON, decimals…) goes through the field.
_PLAIN = (str, int, bool, float, type(None), datetime, date)


def _column(
    field: models.Field[Any, Any], rows: Sequence[dict[str, Any]], default: Any
) -> list[Any]:
    name = field.attname
    values = [row.get(name, default) for row in rows]
    if isinstance(field, models.JSONField) or not all(isinstance(v, _PLAIN) for v in values):
        return [field.get_db_prep_save(v, connection) for v in values]
    return values


def _array_type(field: models.Field[Any, Any]) -> str:
    db_type = field.db_type(connection) or "text"
    if "(" in db_type and db_type.startswith(("varchar", "character varying")):
        db_type = "text"  # the column still checks the length
    if db_type.startswith(("integer", "bigint", "smallint")) or " CHECK" in db_type:
        db_type = db_type.split(" ")[0]
    if db_type == "serial" or db_type == "bigserial":
        db_type = "bigint"
    return f"{db_type}[]"
