"""Messages that reach the feed but are nobody's inquiry: bounces, auto-replies, spam and
newsletters. Each gives ``Ignored(reason)`` so no person is created. Tried right after
Lead Metadata and before every source.

Two judgement calls. ``Auto-Submitted: auto-generated`` (and "auto-forwarded") is not an
auto-reply: portals and mailbox forwarding rules send real leads with it. And
``Precedence: bulk`` with ``List-Unsubscribe`` is a newsletter only when the body has no
labelled contact field ("Email: …", "Phone: …") and no showing service sent it, because
portals send their lead notifications through bulk mailers too."""

from __future__ import annotations

import re

from emailfeed.mail import Mail
from emailfeed.parsers import register
from emailfeed.parsers.base import Ignored, Parser, email_in, phone
from emailfeed.parsers.showings import from_a_showing_service

_BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:(?:fw|fwd)\s?:\s*)*(?:undeliverable|undelivered mail|delivery status notification|"
    r"mail delivery (?:failed|failure|subsystem)|delivery failure|returned mail|failure notice|"
    r"message not delivered|delivery has failed)",
    re.IGNORECASE,
)
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:(?:re|aw|fw|fwd)\s?:\s*)*(?:out of (?:the )?office|automatic reply|"
    r"auto[- ]?reply|autoreply|auto[- ]?response|automatische antwort|réponse automatique|"
    r"respuesta automática|away from (?:the |my )?office|vacation (?:reply|response))\b",
    re.IGNORECASE,
)
_NOT_AUTO = ("", "no", "auto-generated", "auto-forwarded")
_CONTACT_LABEL = re.compile(
    r"^[*•>-]?\s?([A-Za-z][A-Za-z' /-]{0,30}?)\s?[:\uff1a]\s?(.*)$",
)
_CONTACT_WORDS = re.compile(r"\b(?:e-?mail|phone|cell|mobile|tel|telephone)\b")
_COMPANY_WORDS = re.compile(r"\b(?:us|our|office|support|help|customer|team|company)\b")


def has_contact_fields(text: str) -> bool:
    """Whether some "Email:"/"Phone:" style label carries an address or a number, on its
    line or on the next (a table rendered to text)."""
    lines = [line.strip()[:300] for line in text[:200_000].splitlines() if line.strip()]
    for index, line in enumerate(lines[:2000]):
        match = _CONTACT_LABEL.match(line)
        if not match:
            continue
        label = match.group(1).lower()
        if not _CONTACT_WORDS.search(label) or _COMPANY_WORDS.search(label):
            continue
        value = match.group(2) or (lines[index + 1] if index + 1 < len(lines) else "")
        if email_in(value) or phone(value):
            return True
    return False


class Bounce(Parser):
    """A delivery failure: a delivery-status report, or a mail system's own sender or
    subject. A read receipt (a disposition report) is an auto-reply."""

    name = "bounce"

    def recognises(self, mail: Mail) -> bool:
        return self.reason(mail) is not None

    def reason(self, mail: Mail) -> str | None:
        if mail.content_type == "multipart/report":
            report = mail.header("content-type").lower()
            return "auto-reply" if "disposition-notification" in report else "bounce"
        local = mail.from_address.partition("@")[0]
        if local in _BOUNCE_SENDERS or "mail delivery" in mail.from_name.lower():
            return "bounce"
        return "bounce" if _BOUNCE_SUBJECT.search(mail.subject) else None

    def parse(self, mail: Mail) -> Ignored:
        return Ignored(self.reason(mail) or "bounce")


class AutoReply(Parser):
    """An out-of-office or other automatic answer (RFC 3834 headers, or the subject)."""

    name = "auto_reply"

    def recognises(self, mail: Mail) -> bool:
        submitted = mail.header("auto-submitted").split(";")[0].strip().lower()
        flagged = any(
            mail.header(h).strip().lower() not in ("", "no", "false", "0")
            for h in ("x-autoreply", "x-autorespond")
        )
        return submitted not in _NOT_AUTO or flagged or bool(_AUTO_SUBJECT.search(mail.subject))

    def parse(self, mail: Mail) -> Ignored:
        return Ignored("auto-reply")


class Spam(Parser):
    """What the receiving spam filter already called spam."""

    name = "spam"

    def recognises(self, mail: Mail) -> bool:
        flag = mail.header("x-spam-flag").strip().lower()
        status = mail.header("x-spam-status").strip().lower()
        return flag.startswith("yes") or status.startswith("yes")

    def parse(self, mail: Mail) -> Ignored:
        return Ignored("spam")


class Newsletter(Parser):
    """Bulk list mail that names nobody to contact."""

    name = "newsletter"

    def recognises(self, mail: Mail) -> bool:
        precedence = mail.header("precedence").strip().lower()
        if precedence not in ("bulk", "list", "junk") or not mail.header("list-unsubscribe"):
            return False
        return not has_contact_fields(mail.text) and not from_a_showing_service(mail)

    def parse(self, mail: Mail) -> Ignored:
        return Ignored("newsletter")


register(Bounce())
register(AutoReply())
register(Spam())
register(Newsletter())
