"""Worker side of the email feed: parse and apply a message, tell the agent, and poll
IMAP mailboxes (beat)."""

from __future__ import annotations

import logging

from celery import shared_task

from crm.celery import tenant_task
from crm.notify import notify_agents
from crm.tenancy import rls_bypass, tenant_context
from emailfeed import processing
from emailfeed.models import FeedSettings, InboundMessage, MessageStatus, SourceHealth

log = logging.getLogger(__name__)


@tenant_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def process_message(*, account_id: int, message_id: int) -> str:
    message = (
        InboundMessage.objects.for_account(account_id)
        .select_related("account")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return "gone"
    if message.status != MessageStatus.PENDING:
        return message.status  # a redelivery after the work was done
    return processing.process(message).status


@tenant_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_source_failing(*, account_id: int, health_id: int) -> str:
    health = SourceHealth.objects.for_account(account_id).filter(pk=health_id).first()
    if health is None:
        return "gone"
    notify_agents(account_id, processing.failing_notice(health))
    return "sent"


@shared_task
def poll_mailboxes() -> int:
    """Beat: read every enabled IMAP mailbox; each account in its own tenant context."""
    from emailfeed.imap import poll

    with rls_bypass():
        feeds = list(FeedSettings.objects.filter(imap_enabled=True).values_list("account_id", "pk"))
    fetched = 0
    for account_id, feed_id in feeds:
        with tenant_context(account_id):
            feed = FeedSettings.objects.for_account(account_id).get(pk=feed_id)
            fetched += poll(feed)
    return fetched
