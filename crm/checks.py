"""Deployment checks: the database wall only stands if the app's role is bound by it."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections
from django.db.utils import OperationalError


@register(Tags.database, deploy=True)
def app_role_is_bound_by_rls(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
            )
            superuser, bypass = cursor.fetchone()
    except OperationalError:
        return []
    if superuser or bypass:
        return [
            Error(
                "The app connects to Postgres as a role that skips row-level security.",
                hint="Connect as a role without SUPERUSER and BYPASSRLS (README: Tenancy).",
                id="crm.E001",
            )
        ]
    return []
