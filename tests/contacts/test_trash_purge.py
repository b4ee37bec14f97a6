"""The daily trash purge: people 30 days in the trash are deleted for good, account by
account, each inside its own tenant context (row-level security in force on Postgres)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from contacts import services, tasks
from contacts.models import Contact, Phone
from contacts.services import ContactData, PhoneInput, contact_create
from crm.celery import app
from crm.models import Account, AuditEntry
from crm.tenancy import current_tenant
from tests.world import World


def _trashed(account: Account, name: str, days_ago: float) -> Contact:
    contact, _ = contact_create(
        account=account,
        actor=None,
        data=ContactData(fields={"first_name": name}, phones=[PhoneInput("970 555 0100")]),
    )
    Contact.objects.filter(pk=contact.pk).update(
        deleted_at=timezone.now() - timedelta(days=days_ago)
    )
    return contact


def _exists(contact: Contact) -> bool:
    return Contact.objects.filter(pk=contact.pk).exists()


def test_it_purges_what_has_been_in_the_trash_over_30_days_in_every_account(
    world: World,
) -> None:
    old_a = _trashed(world.a, "OldA", 31)
    old_b = _trashed(world.b, "OldB", 45)
    recent = _trashed(world.a, "Recent", 29)
    alive = Contact.objects.filter(account=world.a, deleted_at__isnull=True).first()
    assert alive is not None

    purged = tasks.purge_trash.delay().get()

    assert purged == {world.a.pk: 1, world.b.pk: 1}
    assert not _exists(old_a) and not _exists(old_b)
    assert not Phone.objects.filter(contact_id__in=[old_a.pk, old_b.pk]).exists()
    assert _exists(recent) and _exists(alive)
    entry = AuditEntry.objects.get(
        account=world.a,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=str(old_a.pk),
        action="delete",
    )
    assert "purged after 30 days" in str(entry.changes)


def test_it_does_nothing_when_no_trash_is_old_enough(world: World) -> None:
    _trashed(world.a, "Recent", 1)
    assert tasks.purge_trash() == {}


def test_it_purges_each_account_inside_its_own_tenant_context(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _trashed(world.a, "OldA", 40)
    _trashed(world.c, "OldC", 40)
    seen: list[dict[str, Any]] = []
    real = services.trash_purge

    def spy(*, account_id: int, **kwargs: Any) -> int:
        state = current_tenant()
        seen.append(
            {
                "account": state.account_id,
                "bypass": state.bypass,
                # What an unfiltered read shows: on Postgres only this account's trash.
                "visible": set(
                    Contact.objects.filter(deleted_at__isnull=False).values_list(
                        "account_id", flat=True
                    )
                ),
            }
        )
        return real(account_id=account_id, **kwargs)

    monkeypatch.setattr(services, "trash_purge", spy)
    tasks.purge_trash()

    assert [(s["account"], s["bypass"]) for s in seen] == [
        (world.a.pk, False),
        (world.c.pk, False),
    ]
    if connection.vendor == "postgresql":  # the second wall holds during the purge
        assert [s["visible"] for s in seen] == [{world.a.pk}, {world.c.pk}]


def test_it_lists_the_accounts_with_old_trash_across_accounts(world: World) -> None:
    _trashed(world.b, "OldB", 31)
    _trashed(world.c, "OldC", 31)
    _trashed(world.a, "Recent", 2)
    assert tasks.accounts_with_expired_trash() == sorted([world.b.pk, world.c.pk])


def test_it_keeps_going_when_one_account_fails(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _trashed(world.a, "OldA", 40)
    kept_going = _trashed(world.c, "OldC", 40)
    real = services.trash_purge

    def fails_for_a(*, account_id: int, **kwargs: Any) -> int:
        if account_id == world.a.pk:
            raise RuntimeError("disk full")
        return real(account_id=account_id, **kwargs)

    monkeypatch.setattr(services, "trash_purge", fails_for_a)

    assert tasks.purge_trash() == {world.c.pk: 1}
    assert not _exists(kept_going)


def test_it_runs_daily_from_beat() -> None:
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "contacts.tasks.purge_trash"
    )
    assert entry["schedule"] == 24 * 3600.0
    assert "contacts.tasks.purge_trash" in app.tasks
