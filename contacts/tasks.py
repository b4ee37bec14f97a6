"""Background work on people."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from contacts import services
from contacts.models import Contact
from crm.tenancy import rls_bypass, tenant_context

log = logging.getLogger(__name__)


def accounts_with_expired_trash(older_than_days: int = services.TRASH_DAYS) -> list[int]:
    """Cross-account on purpose: which accounts have people in the trash past the grace period."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    with rls_bypass():
        return sorted(
            set(
                Contact.objects.filter(deleted_at__lt=cutoff)
                .order_by()
                .values_list("account_id", flat=True)
                .distinct()
            )
        )


@shared_task
def purge_trash() -> dict[int, int]:
    """Daily: delete for good the people in each account's trash for more than 30 days.
    Each account is purged inside its own tenant context, row-level security in force."""
    purged: dict[int, int] = {}
    for account_id in accounts_with_expired_trash():
        with tenant_context(account_id):
            try:
                purged[account_id] = services.trash_purge(account_id=account_id)
            except Exception:  # one account's failure must not keep the others' trash
                log.exception("trash purge failed for account %s", account_id)
    return purged
