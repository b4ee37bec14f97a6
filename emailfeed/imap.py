"""The optional IMAP mailbox: unseen messages are fetched, stored through ``ingest`` and
then marked seen, so a crash between the two fetches a message again (and the
Message-ID check drops the repeat) rather than losing it.

``connect`` is the seam tests replace: anything with imaplib's login / select /
uid("search"|"fetch"|"store") / logout methods will do."""

from __future__ import annotations

import contextlib
import imaplib
import logging
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from crm.crypto import decrypt, encrypt
from emailfeed.ingest import ingest
from emailfeed.models import FeedSettings, Via

log = logging.getLogger(__name__)
BATCH = 50  # messages per poll and mailbox
TIMEOUT = 20


def _connect(feed: FeedSettings) -> Any:
    return imaplib.IMAP4_SSL(feed.imap_host, feed.imap_port, timeout=TIMEOUT)


connect: Callable[[FeedSettings], Any] = _connect


def set_password(feed: FeedSettings, password: str) -> None:
    feed.imap_password_encrypted = encrypt(password) if password else ""


def poll(feed: FeedSettings) -> int:
    """Fetch up to BATCH unseen messages; returns how many were stored."""
    if not (feed.imap_enabled and feed.imap_host and feed.imap_user):
        return 0
    stored = 0
    error = ""
    try:
        client = connect(feed)
        try:
            client.login(feed.imap_user, decrypt(feed.imap_password_encrypted))
            client.select(feed.imap_folder or "INBOX")
            status, data = client.uid("search", None, "UNSEEN")
            uids = (data[0] or b"").split()[:BATCH] if status == "OK" else []
            for uid in uids:
                status, parts = client.uid("fetch", uid, "(BODY.PEEK[])")
                raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) > 1), None)
                if status != "OK" or not isinstance(raw, bytes):
                    continue
                ingest(feed.account_id, raw, Via.IMAP)
                client.uid("store", uid, "+FLAGS", "(\\Seen)")
                stored += 1
        finally:
            with contextlib.suppress(Exception):
                client.logout()
    except (OSError, imaplib.IMAP4.error) as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
        log.warning("IMAP poll of account %s failed: %s", feed.account_id, error)
    feed.imap_checked_at, feed.imap_error = timezone.now(), error
    feed.save(update_fields=["imap_checked_at", "imap_error"])
    return stored
