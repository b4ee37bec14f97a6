"""Unsubscribe links: signed for one email address of one person, so they cannot be
forged or replayed against anyone else; one click (RFC 8058) or the page's button.

Unsubscribing opts that address out, writes a dated note on the person, and sends
``email_unsubscribed`` so every automated email step for them stops."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone

from contacts.models import Email, EmailStatus, NoteKind
from contacts.services import note_add

SALT = "drips.unsubscribe"
# Sent with ``email`` (the Email row) after an address is opted out.
email_unsubscribed = Signal()


def token_for(email: Email) -> str:
    return signing.dumps({"a": email.account_id, "e": email.pk}, salt=SALT, compress=True)


def url_for(email: Email) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("unsubscribe", args=[token_for(email)])


def headers_for(email: Email) -> dict[str, str]:
    """The headers every email carries: mail clients show an Unsubscribe button that
    posts to the link without opening it."""
    return {
        "List-Unsubscribe": f"<{url_for(email)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def email_for(token: str) -> Email | None:
    """The address a token was made for, or None for anything forged or garbled."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("e"), int):
        return None
    if not isinstance(data.get("a"), int):
        return None
    from crm.tenancy import rls_bypass

    with rls_bypass():  # the signed token names the account
        return (
            Email.objects.filter(pk=data["e"], account_id=data["a"])
            .select_related("contact", "account")
            .first()
        )


def unsubscribe(email: Email, *, how: str = "the link in an email") -> bool:
    """Opt the address out; False when it already was."""
    if email.status == EmailStatus.OPTED_OUT:
        return False
    email.status, email.status_changed_at = EmailStatus.OPTED_OUT, timezone.now()
    email.save(update_fields=["status", "status_changed_at"])
    day = timezone.localdate().isoformat()
    note_add(contact=email.contact, actor=None, kind=NoteKind.SYSTEM,
             body=f"Unsubscribed {email.address} from email on {day} ({how}).")  # fmt: skip
    email_unsubscribed.send(sender=Email, email=email)
    return True
