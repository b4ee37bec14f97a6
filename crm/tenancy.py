"""The tenant context: which account (and user) the current code acts for.

The first wall is Python: views, tasks and exports read tenant rows through
account-scoped querysets. The second wall is Postgres row-level security,
keyed to three per-connection settings that this module keeps in step with a
context variable:

- ``app.account_id``: rows of this account are visible;
- ``app.user_id``: this user's own memberships are visible in every account,
  so the header can list the accounts one may switch to;
- ``app.rls_bypass``: ``on`` only inside ``rls_bypass()`` (migrations, token
  lookups of public endpoints, deliberate cross-account maintenance).

With no context at all, a tenant table returns nothing. SQLite has no second
wall; the settings are then kept only in Python.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.dispatch import receiver

ACCOUNT_SETTING = "app.account_id"
USER_SETTING = "app.user_id"
BYPASS_SETTING = "app.rls_bypass"


@dataclass(frozen=True)
class TenantState:
    account_id: int | None = None
    user_id: int | None = None
    bypass: bool = False


_EMPTY = TenantState()
_state: contextvars.ContextVar[TenantState] = contextvars.ContextVar("tenant", default=_EMPTY)


def current_tenant() -> TenantState:
    return _state.get()


def current_account_id() -> int | None:
    return _state.get().account_id


def current_user_id() -> int | None:
    return _state.get().user_id


def _wall_is_up() -> bool:
    return bool(getattr(settings, "TENANT_DB_WALL", True))


def _apply(connection: BaseDatabaseWrapper, state: TenantState) -> None:
    if connection.vendor != "postgresql" or connection.connection is None:
        return
    bypass = state.bypass or not _wall_is_up()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, false), set_config(%s, %s, false), "
            "set_config(%s, %s, false)",
            [
                ACCOUNT_SETTING,
                "" if state.account_id is None else str(int(state.account_id)),
                USER_SETTING,
                "" if state.user_id is None else str(int(state.user_id)),
                BYPASS_SETTING,
                "on" if bypass else "off",
            ],
        )


def _apply_everywhere(state: TenantState) -> None:
    for connection in connections.all(initialized_only=True):
        _apply(connection, state)


@receiver(connection_created)
def _apply_on_connect(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    """A connection opened mid-context (a reconnect, a worker) gets the same wall."""
    state = _state.get()
    if state != _EMPTY or not _wall_is_up():
        _apply(connection, state)


@contextmanager
def _enter(state: TenantState) -> Iterator[TenantState]:
    token = _state.set(state)
    _apply_everywhere(state)
    try:
        yield state
    finally:
        _state.reset(token)
        _apply_everywhere(_state.get())


def tenant_context(
    account_id: int | None, user_id: int | None = None
) -> AbstractContextManager[TenantState]:
    """Act for one account (and user) until the block ends; the previous context returns."""
    return _enter(TenantState(account_id=account_id, user_id=user_id, bypass=False))


def rls_bypass() -> AbstractContextManager[TenantState]:
    """Deliberately see every account: token lookups, migrations, maintenance.

    Keep these blocks small and never render their rows to a user of another
    account.
    """
    state = _state.get()
    return _enter(TenantState(account_id=state.account_id, user_id=state.user_id, bypass=True))


def set_bypass_for_process() -> None:
    """For one-shot processes such as ``migrate``: the rest of the process bypasses RLS."""
    state = TenantState(bypass=True)
    _state.set(state)
    _apply_everywhere(state)
