"""Taking a message in: which account it is for, storing it raw (once per Message-ID),
and handing it to the worker. Every path (HTTP, email-service webhooks, IMAP, the
command line, the test button) goes through ``ingest``."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import IntegrityError, transaction

from crm.tenancy import rls_bypass
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
    headers = headers_of(kept)  # enough to list and deduplicate it; parsing comes later
    message_id = headers["message_id"].strip("<> ")[:250]
    if message_id:
        found = InboundMessage.objects.for_account(account_id).filter(message_id=message_id).first()
        if found is not None:
            return found, False
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                account_id=account_id, message_id=message_id, via=via, raw=kept, size=size,
                oversize=size > MAX_STORED, subject=headers["subject"][:300],
                from_address=headers["from"][:254],
            )  # fmt: skip
    except IntegrityError:  # the same message, delivered twice at once
        found = InboundMessage.objects.for_account(account_id).get(message_id=message_id)
        return found, False
    queue(message)
    return message, True


def headers_of(raw: bytes) -> dict[str, str]:
    """Subject, sender and Message-ID from the header block alone (cheap: no body)."""
    from email.parser import BytesHeaderParser
    from email.policy import default
    from email.utils import parseaddr

    try:
        found = BytesHeaderParser(policy=default).parsebytes(raw[: 128 * 1024])
        subject, sender = str(found.get("Subject", "")), str(found.get("From", ""))
        message_id = str(found.get("Message-ID", ""))
    except Exception:  # a header no parser can read: listed without it, parsed later
        subject = sender = message_id = ""
    one_line = lambda value: " ".join(value.split())  # noqa: E731
    return {
        "subject": one_line(subject),
        "from": parseaddr(one_line(sender))[1].lower(),
        "message_id": one_line(message_id),
    }


def queue(message: InboundMessage) -> None:
    from emailfeed.tasks import process_message

    transaction.on_commit(
        lambda: process_message.delay(account_id=message.account_id, message_id=message.pk)
    )
