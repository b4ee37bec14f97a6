"""Telling the agent at once: an email to the account's owners and, where an app has
registered a text sender (call capture, through the account's Twilio number), an SMS to
each owner's mobile phone.

Call it from the worker: it talks to the mail server and to Twilio."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail

log = logging.getLogger(__name__)

# (account_id, mobile number, text) -> None; raises nothing it can avoid.
TextSender = Callable[[int, str, str], None]
_TEXT_SENDERS: list[TextSender] = []


def register_text_sender(sender: TextSender) -> None:
    _TEXT_SENDERS.append(sender)


@dataclass(frozen=True)
class Notice:
    subject: str
    text: str  # the SMS, and the email's first line
    path: str = ""  # a link into the CRM, e.g. the new person's page

    @property
    def url(self) -> str:
        return settings.SITE_URL.rstrip("/") + self.path if self.path else ""


def notify_agents(account_id: int, notice: Notice) -> int:
    """Email and text the account's owners; returns how many messages went out."""
    from crm.selectors import account_owners

    owners = account_owners(account_id)
    sent = 0
    emails = [user.email for user in owners if user.email]
    if emails:
        body = notice.text + (f"\n\n{notice.url}\n" if notice.url else "\n")
        send_mail(notice.subject, body, None, emails)
        sent += len(emails)
    sms = notice.text + (f" {notice.url}" if notice.url else "")
    for user in owners:
        mobile = (user.mobile_phone or "").strip()
        if not mobile:
            continue
        for sender in _TEXT_SENDERS:
            try:
                sender(account_id, mobile, sms[:600])
                sent += 1
            except Exception:  # one failed text must not stop the email or the rest
                log.exception("notification text to the agent of account %s failed", account_id)
    return sent
