"""One email to one person, put together the same way for drips, bulk email, eCards and
test sends: merged in the sandbox, from the agent's name with replies to the agent, the
VERP return path, a working unsubscribe link and its one-click headers. eCards (HTML)
are cleaned and framed; letters and emails go as plain text."""

from __future__ import annotations

import contextlib
import re
import smtplib
from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr

import nh3
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils.html import strip_tags

from contacts.models import Contact, Email
from crm.models import Account, User
from drips import merge, unsubscribe

_EMPTY_IMAGE = re.compile(r"<img\b[^>]*\bsrc=\"\s*\"[^>]*>", re.IGNORECASE)
_TAGS = {"h1", "h2", "h3", "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "img",
         "blockquote", "hr", "span", "div"}  # fmt: skip


TEST_LINK = "(the person's own unsubscribe link)"


@dataclass
class Composed:
    message: EmailMultiAlternatives | None
    problems: list[str] = field(default_factory=list)


def is_html(kind: str) -> bool:
    return kind in merge.HTML_KINDS


def clean_html(merged: str) -> str:
    """An eCard's merged HTML with only harmless tags and links left."""
    return nh3.clean(_EMPTY_IMAGE.sub("", merged), tags=_TAGS,
                     url_schemes={"https", "http", "mailto"})  # fmt: skip


def card_html(cleaned: str, unsubscribe_url: str) -> str:
    """The whole eCard email page around the cleaned body."""
    return render_to_string(
        "drips/email/card.html", {"body": cleaned, "unsubscribe_url": unsubscribe_url}
    )


def compose(
    *,
    account: Account,
    agent: User | None,
    contact: Contact,
    email: Email,
    kind: str,
    subject: str,
    body: str,
    return_path: str,
    to: str = "",
    test: bool = False,
    message_id: str = "",
) -> Composed:
    """The message for ``email`` (sent to ``to`` instead, for a test: its unsubscribe link
    goes nowhere, so the agent cannot opt the person out by trying it), or the problems
    that stop it (a field that is not a merge field)."""
    link = TEST_LINK if test else unsubscribe.url_for(email)
    values = merge.values_for(contact, agent=agent, unsubscribe_url=link,
                              needed=merge.fields_in(subject, body))  # fmt: skip
    html = is_html(kind)
    subject_out = merge.render(subject, values)
    body_out = merge.render(body, values, html=html)
    problems = subject_out.problems + body_out.problems
    missing = sorted(set(subject_out.missing + body_out.missing))
    if missing:  # "call me at ." never goes out
        problems.append(merge.missing_message(missing))
    if problems:
        return Composed(message=None, problems=problems)
    _name, site_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    sender = formataddr((agent.display_name if agent else account.name, site_address))
    text = re.sub(r"\n{3,}", "\n\n", body_out.text)
    card = ""
    if html:
        cleaned = clean_html(body_out.text)
        card = card_html(cleaned, values["unsubscribe_url"])
        text = strip_tags(cleaned.replace("<br>", "\n").replace("</p>", "</p>\n"))
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
    message = EmailMultiAlternatives(
        subject=subject_out.text.replace("\r", " ").replace("\n", " ")[:200],
        body=text,
        from_email=return_path,  # the envelope sender: SMTP backends use it for MAIL FROM
        to=[to or email.address],
        reply_to=[agent.email] if agent else None,
        headers={
            **({"Message-ID": f"<{message_id}@{_domain()}>"} if message_id else {}),
            "From": sender,
            "X-CRM-Ref": return_path,
            **({} if test else unsubscribe.headers_for(email)),
        },
    )
    if card:
        message.attach_alternative(card, "text/html")
    # django-anymail: the service echoes metadata in its bounce and complaint events.
    message.metadata = {"crm_ref": return_path}  # type: ignore[attr-defined]
    return Composed(message=message)


def _domain() -> str:
    return str(getattr(settings, "EMAILFEED_DOMAIN", "") or "localhost")


_AGENTS: dict[int, tuple[float, User | None]] = {}


def agent_cached(account: Account) -> User | None:
    """The account's agent, read at most once a minute per worker process."""
    import time

    now = time.monotonic()
    kept = _AGENTS.get(account.pk)
    if kept is None or kept[0] < now:
        kept = (now + 60, merge.agent_of(account))
        _AGENTS[account.pk] = kept
    return kept[1]


_CONNECTION: list[BaseEmailBackend] = []  # this worker process's open SMTP session


def send_kept_open(message: EmailMultiAlternatives) -> None:
    """Send over a connection kept open between emails (a new one per email costs more
    than the email); a connection the server dropped is opened again once."""
    for attempt in (1, 2):
        if not _CONNECTION:
            connection = get_connection()
            connection.open()
            _CONNECTION.append(connection)
        message.connection = _CONNECTION[0]
        try:
            message.send()
            return
        except smtplib.SMTPServerDisconnected:
            close_kept()
            if attempt == 2:
                raise
        except OSError:
            close_kept()
            raise


def deliver(message: EmailMultiAlternatives) -> str:
    """Send it; "" when it went, or the mail server's words when it refused it for good
    (a temporary refusal raises, so the task retries)."""
    try:
        send_kept_open(message)
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code < 500:
            raise
        return f"The mail server refused it: {exc.smtp_code} {exc.smtp_error!r}"
    except smtplib.SMTPRecipientsRefused as exc:
        return f"The mail server refused the address: {exc.recipients}"
    return ""


def close_kept() -> None:
    while _CONNECTION:
        connection = _CONNECTION.pop()
        with contextlib.suppress(Exception):  # closing a dead connection: nothing to save
            connection.close()
