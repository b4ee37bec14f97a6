"""Postgres row-level security for every tenant table, installed after each migrate.

Every concrete subclass of ``TenantModel`` gets the same policy: a row is
visible and writable when its ``account_id`` equals the connection's
``app.account_id``, or when ``app.rls_bypass`` is on. ``Membership`` also
shows a user their own rows. ``FORCE`` makes the policy bind the table owner,
which is the role the app connects as.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connections
from django.db.models import Model

from crm.tenancy import ACCOUNT_SETTING, BYPASS_SETTING, USER_SETTING

POLICY_NAME = "tenant_isolation"

_BYPASS = f"current_setting('{BYPASS_SETTING}', true) = 'on'"
_SAME_ACCOUNT = f"account_id = NULLIF(current_setting('{ACCOUNT_SETTING}', true), '')::bigint"
_OWN_ROW = f"user_id = NULLIF(current_setting('{USER_SETTING}', true), '')::bigint"


def tenant_models() -> list[type[Model]]:
    """Concrete models whose rows belong to one account."""
    from crm.models import Membership, TenantModel

    found: list[type[Model]] = [Membership]
    for model in apps.get_models():
        if issubclass(model, TenantModel) and not model._meta.proxy:
            found.append(model)
    return found


def policy_sql(model: type[Model]) -> list[str]:
    from crm.models import Membership

    table = connections["default"].ops.quote_name(model._meta.db_table)
    using = f"{_BYPASS} OR {_SAME_ACCOUNT}"
    if model is Membership:
        using = f"{using} OR {_OWN_ROW}"
    check = f"{_BYPASS} OR {_SAME_ACCOUNT}"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}",
        f"CREATE POLICY {POLICY_NAME} ON {table} USING ({using}) WITH CHECK ({check})",
    ]


def install_policies(using: str = "default") -> int:
    """Give every tenant table its policy; returns how many tables it touched."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    existing = set(connection.introspection.table_names())
    models = [m for m in tenant_models() if m._meta.db_table in existing]
    with connection.cursor() as cursor:
        for model in models:
            for statement in policy_sql(model):
                cursor.execute(statement)
    return len(models)
