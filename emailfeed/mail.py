"""A raw email as the parsers see it: decoded headers, the best plain text, the HTML,
with a forwarded message unwrapped first. Hostile input is normal: broken MIME, wrong
or missing charsets, huge parts; nothing here raises for a bad message, and no part is
read past a size cap."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

MAX_PART = 512 * 1024  # characters of one text part that parsers look at
MAX_HTML_TAGS = 50_000  # an HTML bomb stops being read here

_FORWARD_MARKERS = re.compile(
    r"^[ >]*(-{2,}\s*Forwarded message\s*-{2,}|Begin forwarded message:|"
    r"-{2,}\s*Original Message\s*-{2,}|_{5,})\s*$",
    re.IGNORECASE | re.MULTILINE,
)
# A "<" that no ">" closes within a tag's length: html.parser goes quadratic on thousands
# of them (an HTML bomb), so they are text.
_UNCLOSED = re.compile(r"<(?![^<>]{0,4000}>)")
_HEADER_LINE = re.compile(r"^[ >]*(From|Sent|Date|To|Subject|Cc)\s*:\s*(.*)$", re.IGNORECASE)


def _valid(text: str) -> str:
    """Lone surrogates (utf-7, unicode_escape and undecoded 8-bit bytes make them) become
    "?": the database, JSON and the HTML sanitiser all refuse them."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _decode(part: Message) -> str:
    """A text part's content, whatever it claims its charset is."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding
        payload = None
    if payload is None:
        raw = part.get_payload()
        return _valid(raw[:MAX_PART]) if isinstance(raw, str) else ""
    if not isinstance(payload, bytes):
        return _valid(str(payload)[:MAX_PART])
    payload = payload[: MAX_PART * 4]
    charset = (part.get_content_charset() or "").lower()
    for candidate in (charset, "utf-8", "cp1252", "latin-1"):
        if not candidate:
            continue
        try:
            return _valid(payload.decode(candidate)[:MAX_PART])
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", errors="replace")[:MAX_PART]


class _TextExtractor(HTMLParser):
    """HTML to text without running or fetching anything: script and style dropped,
    block elements become line breaks, meta tags collected."""

    BLOCKS = {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
              "section", "article", "header", "footer", "blockquote", "dt", "dd", "hr"}  # fmt: skip
    CELLS = {"td", "th"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.meta: dict[str, str] = {}
        self.skip = 0
        self.tags = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        if self.tags > MAX_HTML_TAGS:
            return
        if tag in ("script", "style", "head", "title", "template"):
            self.skip += 1 if tag != "head" else 0
        if tag == "meta":
            values = dict(attrs)
            name = (values.get("name") or values.get("property") or "").strip().lower()
            if name and values.get("content") is not None and len(self.meta) < 200:
                self.meta.setdefault(name, (values.get("content") or "").strip()[:2000])
        if tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in self.CELLS:
            self.parts.append("\t")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """``<br/>`` is one break; ``<script/>`` opens a script as browsers read it, so
        what follows stays hidden."""
        self.handle_starttag(tag, attrs)
        if tag not in ("script", "style", "title", "template", "br", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title", "template") and self.skip:
            self.skip -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip and self.tags <= MAX_HTML_TAGS:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, dict[str, str]]:
    """(the visible text, the meta tags by lower-case name)."""
    extractor = _TextExtractor()
    try:
        extractor.feed(_UNCLOSED.sub("&lt;", html[:MAX_PART]))
        extractor.close()
    except Exception:  # html.parser gives up on some garbage: keep what it read
        pass
    text = "".join(extractor.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip(), extractor.meta


@dataclass
class Mail:
    """What parsers read. ``text`` is the best plain text (the text part, or the HTML's
    text); ``meta`` the HTML head's meta tags."""

    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    to: list[str] = field(default_factory=list)
    date: datetime | None = None
    message_id: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""
    html: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    forwarded: bool = False
    content_type: str = ""

    @property
    def sender_domain(self) -> str:
        return self.from_address.rpartition("@")[2].lower()

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def has(self, *needles: str) -> bool:
        """Whether the subject, sender or text mentions any of these (case-insensitive)."""
        haystack = f"{self.subject}\n{self.from_address}\n{self.from_name}\n{self.text}".lower()
        return any(n.lower() in haystack for n in needles)


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name, "")
    except Exception:  # an undecodable header
        return ""
    text = str(value or "")
    return re.sub(r"[\r\n]+\s*", " ", text).strip()[:2000]


def _bodies(message: Message) -> tuple[str, str, Message | None]:
    """(plain text, html, an attached message/rfc822 if any)."""
    plain, html, attached = "", "", None
    parts = message.walk() if message.is_multipart() else iter([message])
    for count, part in enumerate(parts):
        if count > 200:
            break
        kind = part.get_content_type()
        if kind == "message/rfc822" and attached is None:
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                attached = inner[0]
            continue
        disposition = str(part.get("Content-Disposition", "")).lower()
        if "attachment" in disposition:
            continue
        if kind == "text/plain" and not plain:
            plain = _decode(part)
        elif kind == "text/html" and not html:
            html = _decode(part)
    return plain, html, attached


def _unwrap_forward(text: str) -> tuple[str, dict[str, str]] | None:
    """The forwarded message inside a hand-forwarded one: its body and its From/Subject."""
    found = _FORWARD_MARKERS.search(text)
    if not found:
        return None
    rest = text[found.end() :].lstrip("\n")
    headers: dict[str, str] = {}
    lines = rest.splitlines()
    index = 0
    while index < len(lines) and index < 15:
        match = _HEADER_LINE.match(lines[index])
        if match:
            headers.setdefault(match.group(1).lower(), match.group(2).strip())
        elif headers:
            break  # the block ends at its first other line: a blank one, or the body
        index += 1
    if not headers:
        return None
    body = "\n".join(re.sub(r"^> ?", "", line) for line in lines[index:])
    return body.strip(), headers


MAX_UNWRAP = 3  # messages forwarded inside forwarded messages: deeper ones are not opened


def read(raw: bytes, _depth: int = 0) -> Mail:
    """Parse raw RFC 822 bytes; never raises."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception:
        message = EmailMessage()
    mail = Mail()
    mail.subject = _header(message, "Subject")
    name, address = parseaddr(_header(message, "From"))
    mail.from_name, mail.from_address = name.strip(), address.strip().lower()
    mail.to = [
        a.lower() for _n, a in getaddresses([_header(message, "To"), _header(message, "Cc")]) if a
    ]
    mail.message_id = _header(message, "Message-ID")[:250]
    try:
        mail.date = (
            parsedate_to_datetime(_header(message, "Date")) if _header(message, "Date") else None
        )
    except (TypeError, ValueError, IndexError):
        mail.date = None
    for key in ("auto-submitted", "x-autoreply", "x-autorespond", "precedence", "list-unsubscribe",
                "x-spam-flag", "x-spam-status", "return-path", "content-type", "reply-to",
                "x-mailer", "x-original-from"):  # fmt: skip
        value = _header(message, key)
        if value:
            mail.headers[key] = value
    mail.content_type = message.get_content_type() if message else ""
    plain, html, attached = _bodies(message)
    # Forwarded as an attachment: the inner message is the lead. Not for a bounce, whose
    # attached original is our own outgoing mail (it would make the agent a lead).
    report = mail.content_type == "multipart/report"
    if attached is not None and _depth < MAX_UNWRAP and not report:
        try:
            inner = read(attached.as_bytes(), _depth + 1)
        except Exception:  # too deep to write back out (RecursionError): keep the outer one
            inner = None
        if inner is not None and (inner.text or inner.html):
            inner.forwarded = True
            inner.to = mail.to
            return inner
    mail.html = html
    html_text, mail.meta = html_to_text(html) if html else ("", {})
    mail.text = (plain or html_text).replace("\r\n", "\n").replace("\r", "\n")
    unwrapped = _unwrap_forward(mail.text)
    if unwrapped is not None:
        body, headers = unwrapped
        mail.forwarded = True
        mail.text = body
        if headers.get("subject"):
            mail.subject = headers["subject"]
        if headers.get("from"):
            sender = headers["from"]
            # Outlook writes a forwarded sender as "Zillow [mailto:noreply@mail.zillow.com]".
            mailto = re.search(r"\[mailto:([^\]\s]+)\]", sender)
            if mailto:
                sender = f"{sender[: mailto.start()].strip()} <{mailto.group(1)}>"
            name, address = parseaddr(sender)
            mail.from_name, mail.from_address = name.strip(), address.strip().lower()
    return mail
