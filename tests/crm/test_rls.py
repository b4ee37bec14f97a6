"""The second wall: Postgres row-level security on every tenant table."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import ManyToManyField
from django.db.utils import DatabaseError

from crm.models import Category, Membership, TenantModel
from crm.rls import POLICY_NAME, tenant_models
from crm.tenancy import tenant_context
from tests.world import World

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-level security exists only on Postgres"
)


def test_it_treats_every_model_with_an_account_as_a_tenant_model() -> None:
    covered = set(tenant_models())
    with_account = {
        model
        for model in apps.get_models()
        if any(f.name == "account" for f in model._meta.concrete_fields)
    }
    assert with_account - covered == set()


def test_it_gives_every_many_to_many_between_tenant_rows_a_tenant_through_model() -> None:
    bad = []
    for model in tenant_models():
        for field in model._meta.get_fields():
            if isinstance(field, ManyToManyField) and not issubclass(
                field.remote_field.through, TenantModel
            ):
                bad.append(f"{model._meta.label}.{field.name}")
    assert not bad, f"link rows without their own account: {bad}"


@postgres_only
def test_it_has_a_forced_policy_on_every_table_with_an_account_column(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = %s)
            FROM information_schema.columns col
            JOIN pg_class c ON c.relname = col.table_name AND c.relkind = 'r'
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = col.table_schema
            WHERE col.column_name = 'account_id' AND col.table_schema = current_schema()
            """,
            [POLICY_NAME],
        )
        rows = cursor.fetchall()
    assert {r[0] for r in rows} >= {m._meta.db_table for m in tenant_models()}
    unprotected = [
        name for name, enabled, forced, policy in rows if not (enabled and forced and policy)
    ]
    assert not unprotected, f"tenant tables without a forced RLS policy: {unprotected}"


@postgres_only
def test_it_connects_as_a_role_that_row_level_security_binds(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        superuser, bypass = cursor.fetchone()
    assert not superuser, "superusers skip RLS: connect as the app role (see README)"
    assert not bypass, "the app role must not have BYPASSRLS"


@postgres_only
def test_it_returns_only_the_current_accounts_rows_from_unscoped_queries(world: World) -> None:
    for model in tenant_models():
        total_for_a = model._base_manager.filter(account_id=world.a.pk).count()
        with tenant_context(world.a.pk):
            account_ids = set(model._base_manager.values_list("account_id", flat=True))
            count = model._base_manager.count()
        assert account_ids == {world.a.pk}, model._meta.label
        assert count == total_for_a, model._meta.label


@postgres_only
def test_it_returns_nothing_without_a_tenant(world: World) -> None:
    with tenant_context(None):
        assert Category.objects.count() == 0
        assert Membership.objects.count() == 0


@postgres_only
def test_it_shows_a_user_their_own_memberships_in_every_account(world: World) -> None:
    with tenant_context(None, world.ann.pk):
        accounts = set(Membership.objects.values_list("account_id", flat=True))
    assert accounts == {world.a.pk, world.c.pk}


@postgres_only
def test_it_refuses_to_write_a_row_into_another_account(world: World) -> None:
    with tenant_context(world.a.pk), pytest.raises(DatabaseError), transaction.atomic():
        Category.objects.create(account=world.b, name="smuggled")


@postgres_only
def test_it_cannot_update_or_delete_another_accounts_rows(world: World) -> None:
    with tenant_context(world.a.pk):
        updated = Category.objects.filter(account_id=world.b.pk).update(name="hijacked")
        deleted, _ = Category.objects.filter(account_id=world.b.pk).delete()
    assert (updated, deleted) == (0, 0)
    assert not Category.objects.filter(name="hijacked").exists()
