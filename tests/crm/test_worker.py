"""A real Celery worker (the configured broker: Redis in CI) runs tenant tasks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection

from crm.celery import app, tenant_task
from crm.models import Category
from crm.services import invitation_create
from crm.tenancy import current_account_id
from tests.world import World

seen: list[dict[str, Any]] = []


@tenant_task(name="tests.look_around")
def look_around(*, account_id: int) -> None:
    """Records what a task sees when it reads without any filter."""
    seen.append(
        {
            "context": current_account_id(),
            "accounts": set(Category.objects.values_list("account_id", flat=True)),
        }
    )


@pytest.fixture
def worker(transactional_db: None) -> Iterator[None]:
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


def _wait_for(predicate: Any, timeout: float = 20.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.worker
def test_it_sends_the_invitation_email_from_the_worker(worker: None, world: World) -> None:
    mail.outbox.clear()
    invitation_create(
        account=world.a, email="new.assistant@example.com", role="assistant", invited_by=world.alice
    )
    assert _wait_for(lambda: any("new.assistant@example.com" in m.to for m in mail.outbox))
    message = next(m for m in mail.outbox if "new.assistant@example.com" in m.to)
    assert "Alpha Realty" in message.subject
    assert "/invitations/" in message.body


@pytest.mark.worker
def test_it_runs_a_tenant_task_inside_its_accounts_context(worker: None, world: World) -> None:
    seen.clear()
    look_around.delay(account_id=world.c.pk)
    assert _wait_for(lambda: bool(seen))
    assert seen[0]["context"] == world.c.pk
    if connection.vendor == "postgresql":
        assert seen[0]["accounts"] == {world.c.pk}  # the database wall, inside the worker


def test_it_refuses_a_tenant_task_without_an_account_id() -> None:
    with pytest.raises(TypeError, match="account_id"):
        look_around.apply(kwargs={}).get()
