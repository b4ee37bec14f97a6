"""Taking a message in: which account it is for, storing it raw (once per Message-ID),
and handing it to the worker. Every path (HTTP, email-service webhooks, IMAP, the
command line, the test button) goes through ``ingest``."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import IntegrityError, transaction

from crm.tenancy import rls_bypass
from emailfeed.mail import read
from emailfeed.models import FeedSettings, InboundMessage

MAX_STORED = 10 * 1024 * 1024  # bytes kept of one message; the rest is cut and marked
_ADDRESS = re.compile(r"^leads\+([0-9a-f]{8,32})@", re.IGNORECASE)


def feed_for_token(token: str) -> FeedSettings | None:
    if not token or len(token) > 32:
        return None
    with rls_bypass():  # the token is what tells us the account
        return FeedSettings.objects.filter(token=token.lower()).first()


def feed_for_address(address: str) -> FeedSettings | None:
    """The account a feed address (the envelope recipient) belongs to."""
    domain = getattr(settings, "EMAILFEED_DOMAIN", "leads.localhost").lower()
    address = address.strip().lower()
    match = _ADDRESS.match(address)
    if not match or not address.endswith("@" + domain):
        return None
    return feed_for_token(match.group(1))


def feed_settings(account_id: int) -> FeedSettings:
    found = FeedSettings.objects.for_account(account_id).first()
    if found is None:
        found, _ = FeedSettings.objects.get_or_create(account_id=account_id)
    return found


def ingest(account_id: int, raw: bytes, via: str) -> tuple[InboundMessage, bool]:
    """Store the message (raw, before parsing) and queue it; (message, False) when the
    same Message-ID came before, which is then neither stored nor parsed again."""
    size = len(raw)
    kept = raw[:MAX_STORED]
    mail = read(kept[: 256 * 1024])  # headers and the first text: enough to list it
    message_id = mail.message_id.strip("<> ")[:250]
    if message_id:
        found = InboundMessage.objects.for_account(account_id).filter(message_id=message_id).first()
        if found is not None:
            return found, False
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                account_id=account_id, message_id=message_id, via=via, raw=kept, size=size,
                oversize=size > MAX_STORED, subject=mail.subject[:300],
                from_address=mail.from_address[:254],
            )  # fmt: skip
    except IntegrityError:  # the same message, delivered twice at once
        found = InboundMessage.objects.for_account(account_id).get(message_id=message_id)
        return found, False
    queue(message)
    return message, True


def queue(message: InboundMessage) -> None:
    from emailfeed.tasks import process_message

    transaction.on_commit(
        lambda: process_message.delay(account_id=message.account_id, message_id=message.pk)
    )
