"""Bounce and complaint reports, read from the raw message a mail system sends back to an
email's VERP return path (``bounce+<TOKEN>@<domain>``).

Three shapes arrive: RFC 3464 delivery status notifications (multipart/report with a
message/delivery-status part), RFC 5965 ARF complaints from feedback loops (a
message/feedback-report part), and the free-text bounces some servers still write (qmail,
Exim without DSN, Yahoo, Exchange HTML). The first two are read field by field, the last
by finding a status code and the failed address in the text.

Hostile input is normal here: nothing raises, whatever the bytes, and no more than the
first ``MAX_RAW`` bytes are parsed or ``MAX_TEXT`` characters of text scanned. Headers
are read with the compat32 policy, which hands back strings instead of parsing (and
possibly raising) on access."""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import email
import email.policy
import html
import logging
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser, HeaderParser
from typing import Literal

log = logging.getLogger(__name__)

Kind = Literal["hard", "soft", "delayed", "complaint", "none"]

MAX_RAW = 1024 * 1024  # bytes of a message that are parsed; reports sit near the top
MAX_HEADER_BYTES = 256 * 1024  # bytes that verp_token_in reads
MAX_TEXT = 200_000  # characters of text scanned for codes and addresses
MAX_PARTS = 200
MAX_HEADER = 4000  # characters of one header value that are decoded
MAX_DIAGNOSTIC = 300

# Headers the mail system puts our return path in, in the order they are trusted.
TOKEN_HEADERS = (
    "To",
    "Delivered-To",
    "X-Original-To",
    "Envelope-To",
    "X-Envelope-To",
    "Original-Recipient",
)
_TOKEN = re.compile(r"(?<![\w.+=-])(?i:bounce)\+([A-Za-z0-9._-]{1,200})@")
_RETURN_PATH_LINE = re.compile(
    rb"^[ \t>]*Return-Path:[ \t]*<?[ \t]*bounce\+([A-Za-z0-9._-]{1,200})@",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
# Non-ASCII letters count too (RFC 6531 addresses, and so "jöne@" is never read as "ne@").
_ADDRESS_CHARS = "A-Za-z0-9.!#$%&'*+/=?^_`{|}~\u0080-\U0010ffff-"
_DOMAIN_CHARS = "A-Za-z0-9\u0080-\U0010ffff-"
_ADDRESS = re.compile(
    rf"(?<![{_ADDRESS_CHARS}])([{_ADDRESS_CHARS}]{{1,64}}"
    rf"@[{_DOMAIN_CHARS}]{{1,63}}(?:\.[{_DOMAIN_CHARS}]{{1,63}})+)"
)
# Class 2, 4 or 5, subject 0-7 (RFC 3463); "Exim 4.94.2" and IP addresses are not codes.
_ENHANCED = re.compile(r"(?<![\w.])([245]\.[0-7]\.\d{1,3})(?!\d|\.\d)")
_SMTP_AND_ENHANCED = re.compile(r"(?<!\d)([45][0-5]\d)[ -]([45]\.[0-7]\.\d{1,3})(?!\d|\.\d)")
_REPLY_LEAD = re.compile(r"([245]\d\d)[ -](?:([245]\.[0-7]\.\d{1,3})[ \t]+)?")
# A bare SMTP reply code where servers put one: at a line start or after "said:" etc.
_SMTP_CODE = re.compile(
    r"(?:^[ \t#>'\"(]*|said:?[ \t]*|error:?[ \t]*|reply:?[ \t]*|>:[ \t]*|returned[ \t]+')"
    r"([45][0-5]\d)(?=[ \t:-]|$)",
    re.IGNORECASE | re.MULTILINE,
)

# Codes whose class 5 says "failed" but not "this address is dead". Suppressing a good
# address costs a lead, sending once more to a dead one costs little, so these count as
# soft (the sender retries and, after DRIPS_SOFT_BOUNCE_LIMIT, gives up anyway):
# 5.2.2 mailbox full and 5.2.3 message too big for the mailbox, 5.3.4 message too big
# for the system, 5.4.7 delivery time expired (the MTA gave up on temporary errors), and
# the whole 5.7 class (security and policy: blocklists, DMARC, content filtering), which
# speaks of our sending reputation or the message, not of the recipient's mailbox.
SOFT_PERMANENT_CODES = frozenset({"5.2.2", "5.2.3", "5.3.4", "5.4.7"})
SOFT_PERMANENT_PREFIXES = ("5.7.",)
# Feedback-Type values that are not a person's complaint: DMARC failure reports (RFC 6591)
# and "this was not spam" (RFC 6430). Any other type, or none, is a complaint.
NOT_COMPLAINTS = frozenset({"auth-failure", "not-spam"})
_SUMMARIES = {
    "5.1.1": "Bad destination mailbox address",
    "5.1.2": "Bad destination system address",
    "5.1.10": "Recipient not found",
    "5.2.1": "Mailbox disabled, not accepting messages",
    "5.2.2": "Mailbox full",
    "5.4.7": "Delivery time expired",
    "4.2.2": "Mailbox full",
    "4.4.1": "No answer from host",
    "4.4.7": "Delivery time expired",
}

_BOUNCE_LOCALS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"})
_BOUNCE_SUBJECT = re.compile(
    r"^[ \t]*(?:(?:fw|fwd)[ \t]?:[ \t]*)*(?:undeliverable|undelivered mail|undeliverable mail|"
    r"delivery status notification|mail delivery (?:failed|failure|subsystem)|"
    r"delivery (?:failure|failed|has failed|notification|incomplete)|returned mail|"
    r"failure notice|message not delivered|non remis|unzustellbar|"
    r"warning: (?:could not send|message .{0,80} delayed)|delayed mail)",
    re.IGNORECASE,
)
# Where a free-text bounce starts quoting the message it returns.
_ORIGINAL_STARTS = re.compile(
    r"^[ \t]*(?:-{2,}[ \t]*(?:below this line is a copy of the message|this is a copy of the"
    r" message|original message|returned message|forwarded message|the header of the "
    r"original message)|original message headers:?|received:[ \t]+from[ \t])",
    re.IGNORECASE | re.MULTILINE,
)
_DELAY_WORDS = re.compile(
    r"this is a warning message only|has not yet been delivered|not been delivered yet|"
    r"will (?:continue to|keep) try|will retry|still trying|delivery (?:is|has been) delayed|"
    r"delayed mail",
    re.IGNORECASE,
)
_FULL_WORDS = re.compile(
    r"mailbox (?:is )?full|over ?quota|quota exceeded|exceeded (?:their|the|its) "
    r"(?:storage|quota)|insufficient (?:system )?storage",
    re.IGNORECASE,
)
# About the address itself: the best line to show as the diagnostic.
_ADDRESS_DEAD_WORDS = re.compile(
    r"user unknown|unknown user|no such (?:user|mailbox|recipient|address)|"
    r"no mailbox here|unrouteable address|unroutable address|"
    r"(?:address|account|mailbox|recipient|user) (?:does not|doesn't|didn't) exist|"
    r"(?:address|recipient) (?:was )?(?:not found|rejected|couldn't be found)|"
    r"does not have an? .{0,40}account|doesn't have an? .{0,40}account|"
    r"mailbox (?:unavailable|disabled|not found)|account (?:disabled|has been disabled)",
    re.IGNORECASE,
)
_PERMANENT_WORDS = re.compile(
    r"permanent (?:error|failure|fatal)|failed permanently|permanently|"
    r"delivery has failed|could not be delivered to one or more",
    re.IGNORECASE,
)
_TEMPORARY_WORDS = re.compile(
    r"temporar(?:y|ily)|try again later|retry timeout exceeded|deferred",
    re.IGNORECASE,
)
# Where free-text bounces name the failed address, most telling first.
_FAILED_ADDRESS_PLACES = tuple(
    re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    for pattern in (
        r"RCPT TO:[ \t]*<([^<>@\s]{1,64}@[^<>\s]{1,255})>",
        rf"^[ \t]*<?([{_ADDRESS_CHARS}]{{1,64}}@[^<>\s:]{{1,255}})>?:?[ \t]*(?:\(|$)",
        r"(?:message|mail) (?:to|for)[ \t]+<?([^<>\s]{1,64}@[^<>\s]{1,255}?)>?[ \t.,]",
    )
)
_QUOTED_TO = re.compile(r"^[ \t>]*To:[ \t]*(.{1,1000})$", re.IGNORECASE | re.MULTILINE)
_BLOCK_TAG = re.compile(
    r"<[ \t]*/?(?:br|p|div|tr|li|h\d|table|blockquote|hr)\b[^<>]{0,2000}>", re.IGNORECASE
)
_TAG = re.compile(r"<[^<>]{0,2000}>")
_SPACES = re.compile(r"[\s\x00-\x1f\x7f]+")
_UNSAFE_CODECS = frozenset({"punycode", "idna"})  # slow on large input, never real mail


@dataclass(frozen=True)
class Report:
    """What a report says about one recipient. For kind "none" the other fields may still
    describe the message (a success notice's recipient, an auto-reply's return path)."""

    kind: Kind
    recipient: str  # the address that failed, lowercased; "" if unknown
    status: str  # enhanced status code ("5.1.1") or ""
    diagnostic: str  # one line, at most MAX_DIAGNOSTIC characters
    verp_token: str  # TOKEN of the first bounce+TOKEN@ address found; "" if none


def parse(raw: bytes) -> Report:
    """Read a bounce or complaint; anything else (ordinary mail, auto-replies, garbage)
    is kind "none". Never raises."""
    try:
        return _parse(raw)
    except Exception:  # a parser bug must not lose the report: it is kept and logged
        log.warning("bounce report could not be read", exc_info=True)
        return Report("none", "", "", "", _safe_token(raw))


def verp_token_in(raw: bytes) -> str:
    """The TOKEN of our return path in a message, cheaply: the header block (``To``,
    ``Delivered-To`` and the like, see TOKEN_HEADERS), else a ``Return-Path:`` line of
    ours in the first ``MAX_HEADER_BYTES`` of the body, where the returned original of a
    complaint or of a free-text bounce carries it; no MIME parsing. "" if none."""
    return _safe_token(raw)


# ---- the three kinds of report --------------------------------------------------------------


def _parse(raw: bytes) -> Report:
    message = email.message_from_bytes(raw[:MAX_RAW], policy=email.policy.compat32)
    parts = list(_parts(message))
    token = _token_in_headers(message) or _token_in_returned(parts) or _token_in_lines(raw)
    status_part = feedback_part = None
    for part in parts:
        content_type = part.get_content_type()
        if content_type in ("message/delivery-status", "message/global-delivery-status"):
            status_part = status_part or part
        elif content_type == "message/feedback-report":
            feedback_part = feedback_part or part
    if feedback_part is not None and status_part is None:
        return _complaint(feedback_part, parts, token)
    if status_part is not None:
        found = _delivery_status(status_part, token)
        if found is not None:
            return found
    if _looks_like_a_bounce(message):
        return _free_text_bounce(message, parts, token)
    return Report("none", "", "", "", token)


def _delivery_status(part: Message, token: str) -> Report | None:
    """RFC 3464: the first recipient group that failed, else the first delayed one, else
    the first at all. None when the part holds no recipient group."""
    groups = [g for g in _field_groups(part) if {"action", "final-recipient", "status"} & g.keys()]
    if not groups:
        return None
    actions = [_first_word(g.get("action", "")) for g in groups]
    chosen = next((g for g, a in zip(groups, actions, strict=True) if a == "failed"), None)
    chosen = chosen or next(
        (g for g, a in zip(groups, actions, strict=True) if a == "delayed"), groups[0]
    )
    action = _first_word(chosen.get("action", ""))
    diagnostic = _one_reply(_strip_type(chosen.get("diagnostic-code", "")))
    status = _status_of(chosen.get("status", ""), diagnostic)
    recipient = _address_in(_strip_type(chosen.get("final-recipient", ""))) or _address_in(
        _strip_type(chosen.get("original-recipient", ""))
    )
    if action == "delayed":
        kind: Kind = "delayed"
    elif action in ("delivered", "relayed", "expanded") or (
        action != "failed" and status.startswith("2")
    ):
        kind = "none"
    else:  # "failed", or no (or an unknown) Action with a failure status
        kind = _failure_kind(status, _smtp_code(diagnostic), diagnostic)
    summary = _clean(diagnostic) or _SUMMARIES.get(status, "")
    return Report(kind, recipient, status, summary, token)


def _complaint(part: Message, parts: list[Message], token: str) -> Report:
    """RFC 5965: a recipient marked the email as spam. Feedback loops often redact the
    recipient; the VERP token still names the send."""
    fields: dict[str, str] = {}
    for group in _field_groups(part):
        for name, value in group.items():
            fields.setdefault(name, value)
    feedback_type = _first_word(fields.get("feedback-type", "")) or "abuse"
    if feedback_type in NOT_COMPLAINTS:
        return Report("none", "", "", _clean(f"{feedback_type} report"), token)
    recipient = _address_in(fields.get("original-rcpt-to", ""))
    if not recipient:
        returned = _returned_headers(parts)
        recipient = _address_in(_header(returned, "To")) if returned is not None else ""
    agent = _clean(fields.get("user-agent", ""))
    diagnostic = f"{feedback_type} report" + (f" from {agent}" if agent else "")
    return Report("complaint", recipient, "", _clean(diagnostic), token)


def _free_text_bounce(message: Message, parts: list[Message], token: str) -> Report:
    """A bounce without a machine-readable part: the status code and the failed address
    are found in the words before the quoted original."""
    text = _report_text(parts)
    cut = _ORIGINAL_STARTS.search(text)
    report, quoted = (text[: cut.start()], text[cut.start() :]) if cut else (text, "")
    status, line = _status_in_text(report)
    code, code_line = _smtp_code_in_text(report)
    if status.startswith("4") or (not status and code.startswith("4")):
        kind: Kind = "delayed" if _DELAY_WORDS.search(report) else "soft"
    elif status or code:
        kind = _failure_kind(status, code, report)
    elif _DELAY_WORDS.search(report):
        kind = "delayed"
    elif _FULL_WORDS.search(report) or _TEMPORARY_WORDS.search(report):
        kind = "soft"
    elif _ADDRESS_DEAD_WORDS.search(report) or _PERMANENT_WORDS.search(report):
        kind = "hard"
    else:  # it is a bounce, but says nothing more: not enough to give the address up
        kind = "soft"
    diagnostic = line or code_line or _line_matching(report, _ADDRESS_DEAD_WORDS)
    diagnostic = diagnostic or _line_matching(report, _FULL_WORDS, _DELAY_WORDS)
    diagnostic = diagnostic or _line_matching(report, _PERMANENT_WORDS, _TEMPORARY_WORDS)
    diagnostic = diagnostic or _header(message, "Subject")
    recipient = _failed_address(message, report, quoted, parts)
    return Report(kind, recipient, status, _clean(diagnostic), token)


# ---- classification -------------------------------------------------------------------------


def _failure_kind(status: str, smtp_code: str, text: str) -> Kind:
    """Hard or soft for a delivery that failed. See SOFT_PERMANENT_CODES for the 5.x.x
    codes that count as soft; a full mailbox in the words counts as soft too."""
    if status.startswith("4"):
        return "soft"
    if status in SOFT_PERMANENT_CODES or status.startswith(SOFT_PERMANENT_PREFIXES):
        return "soft"
    if not status and (smtp_code.startswith("4") or smtp_code == "552"):  # 552: storage
        return "soft"
    if (not status or status.endswith(".0.0")) and _FULL_WORDS.search(text[:MAX_TEXT]):
        return "soft"
    return "hard"  # class 5, or "failed" with no code at all (RFC 3464: will not retry)


def _status_of(field: str, diagnostic: str) -> str:
    """The Status field's code; a generic one (x.0.0) gives way to a more precise failure
    code of the same class in the diagnostic ("5.0.0" with "550 5.1.1 User unknown")."""
    found = _ENHANCED.search(field)
    status = found.group(1) if found else ""
    if not status or status.endswith(".0.0"):
        for match in _ENHANCED.finditer(diagnostic):
            code = match.group(1)
            if code[0] in "45" and code[0] == (status or code)[0]:
                return code
    return status


def _status_in_text(text: str) -> tuple[str, str]:
    """The first failure code (4.x.x or 5.x.x) in the words, preferring one that follows an
    SMTP reply code, with the line it stands on."""
    found = _SMTP_AND_ENHANCED.search(text)
    if found:
        return found.group(2), _line_at(text, found.start())
    for match in _ENHANCED.finditer(text):
        if match.group(1)[0] in "45":
            return match.group(1), _line_at(text, match.start())
    return "", ""


def _smtp_code_in_text(text: str) -> tuple[str, str]:
    found = _SMTP_CODE.search(text)
    return (found.group(1), _line_at(text, found.start(1))) if found else ("", "")


def _smtp_code(text: str) -> str:
    found = re.match(r"[ \t]*([45][0-5]\d)\b", text)
    return found.group(1) if found else ""


def _looks_like_a_bounce(message: Message) -> bool:
    content_type = _header(message, "Content-Type").lower()
    if message.get_content_type() == "multipart/report" and "delivery-status" in content_type:
        return True
    if _header(message, "X-Failed-Recipients"):
        return True
    sender = _header(message, "From")
    address = _address_in(sender)
    if address.partition("@")[0] in _BOUNCE_LOCALS or "mail delivery" in sender.lower():
        return True
    return bool(_BOUNCE_SUBJECT.search(_header(message, "Subject")))


def _failed_address(message: Message, report: str, quoted: str, parts: list[Message]) -> str:
    """The address a free-text bounce is about: Exim's X-Failed-Recipients, else one the
    words point at ("<addr>:", "RCPT TO:<addr>", an address alone on its line), else the
    first other address, else the To of the returned original (attached or quoted)."""
    ours = {_address_in(_header(message, name)) for name in ("From", "To", "Delivered-To")}

    def usable(address: str) -> bool:
        local = address.partition("@")[0]
        return (
            bool(address)
            and address not in ours
            and local not in _BOUNCE_LOCALS
            and not local.startswith("bounce+")
        )

    for value in message.get_all("X-Failed-Recipients") or []:
        address = _address_in(_text(value))
        if usable(address):
            return address
    for pattern in _FAILED_ADDRESS_PLACES:
        for match in pattern.finditer(report):
            address = _address_in(match.group(1))
            if usable(address):
                return address
    for match in _ADDRESS.finditer(report):
        address = match.group(1).lower()
        if usable(address):
            return address
    returned = _returned_headers(parts)
    if returned is not None:
        address = _address_in(_header(returned, "To"))
    else:
        quoted_to = _QUOTED_TO.search(quoted)
        address = _address_in(quoted_to.group(1)) if quoted_to else ""
    return address if usable(address) else ""


# ---- the VERP token -------------------------------------------------------------------------


def _safe_token(raw: bytes) -> str:
    try:
        headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw[:MAX_HEADER_BYTES])
        return _token_in_headers(headers) or _token_in_lines(raw)
    except Exception:
        log.warning("bounce report headers could not be read", exc_info=True)
        return ""


def _token_in_headers(message: Message) -> str:
    for name in TOKEN_HEADERS:
        for value in message.get_all(name) or []:
            found = _TOKEN.search(_text(value))
            if found:
                return found.group(1)
    return ""


def _token_in_returned(parts: list[Message]) -> str:
    returned = _returned_headers(parts)
    if returned is None:
        return ""
    found = _TOKEN.search(_header(returned, "Return-Path"))
    return found.group(1) if found else ""


def _token_in_lines(raw: bytes) -> str:
    """A ``Return-Path: <bounce+TOKEN@…>`` line of the returned original, wherever it
    stands in the body's first bytes (a free-text bounce quotes the original inline). The
    message's own Return-Path is not one: that would be mail we sent, not a report."""
    head = _HEADER_END.search(raw, 0, MAX_HEADER_BYTES)
    if head is None:
        return ""
    found = _RETURN_PATH_LINE.search(raw, head.end(), head.end() + MAX_HEADER_BYTES)
    return found.group(1).decode("ascii") if found else ""


# ---- reading MIME without trusting it ------------------------------------------------------


def _parts(message: Message) -> Iterator[Message]:
    """The message and its parts, depth first, without going into attached messages (a
    bounce of a bounce must not be read as the inner one)."""
    stack = [message]
    seen = 0
    while stack and seen < MAX_PARTS:
        part = stack.pop()
        seen += 1
        yield part
        payload = part.get_payload() if part.is_multipart() else None
        if part.get_content_maintype() == "multipart" and isinstance(payload, list):
            stack.extend(reversed([p for p in payload if isinstance(p, Message)]))


def _returned_headers(parts: list[Message]) -> Message | None:
    """The headers of the message a report returns: a message/rfc822 part, or the
    text/rfc822-headers part that stands for it."""
    for part in parts:
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
        elif content_type in (
            "text/rfc822-headers",
            "text/rfc822-header",
            "message/rfc822-headers",
            "message/global-headers",
        ):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
            return HeaderParser(policy=email.policy.compat32).parsestr(_decode(part))
    return None


def _field_groups(part: Message) -> list[dict[str, str]]:
    """The field groups of a delivery-status or feedback-report part, names lowercased
    (the first of a repeated name wins). The stdlib hands a delivery-status part over as
    one Message per group, but a feedback-report or global (8-bit) part as one Message
    whose body holds the later groups, and a transfer-encoded one as base64 in a body:
    so the groups are rebuilt as text and read again the same way for every shape."""
    payload = part.get_payload()
    if isinstance(payload, str):
        return _groups_in(_decode(part))
    if not isinstance(payload, list):
        return []
    blocks = []
    for sub in payload[:MAX_PARTS]:
        if not isinstance(sub, Message):
            continue
        head = "\n".join(f"{name}: {_text(value)}" for name, value in sub.items())
        try:
            body = sub.get_payload(decode=True)  # bytes, so 8-bit fields stay UTF-8
        except Exception:
            body = None
        body_text = body.decode("utf-8", "replace") if isinstance(body, bytes) else ""
        # A line that is no field ends the stdlib's header block: same group.
        glue = "\n" if sub.defects else "\n\n"
        blocks.append(glue.join(s for s in (head, body_text) if s))
    text = "\n\n".join(blocks)
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding in ("base64", "quoted-printable"):
        text = _transfer_decode(text, encoding)
    return _groups_in(_valid(text[:MAX_TEXT]))


def _groups_in(text: str) -> list[dict[str, str]]:
    groups: list[dict[str, str]] = []
    current: dict[str, str] = {}
    name = ""
    for line in text.splitlines():
        if not line.strip():
            if current:
                groups.append(current)
            current, name = {}, ""
        elif line[0] in " \t" and name:
            current[name] += " " + line.strip()
        elif ":" in line:
            field, _, value = line.partition(":")
            field = field.strip().lower()
            if field and " " not in field and field not in current:
                name = field
                current[name] = value.strip()
            else:
                name = ""
    if current:
        groups.append(current)
    return groups


def _report_text(parts: list[Message]) -> str:
    """The plain text a person would read, else the HTML made text; at most MAX_TEXT."""
    for wanted in ("text/plain", "text/html"):
        chunks: list[str] = []
        size = 0
        for part in parts:
            if part.get_content_type() != wanted or size >= MAX_TEXT:
                continue
            chunk = _decode(part)
            chunk = _html_text(chunk) if wanted == "text/html" else chunk
            chunks.append(chunk)
            size += len(chunk)
        text = "\n".join(chunks).strip()
        if text:
            return text[:MAX_TEXT]
    return ""


def _decode(part: Message) -> str:
    """A text part's content, whatever its charset and transfer encoding claim."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding
        payload = None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return _valid(raw[:MAX_TEXT]) if isinstance(raw, str) else ""
    payload = payload[: MAX_TEXT * 4]
    charset = str(part.get_content_charset() or "")
    for candidate in (charset, "utf-8", "cp1252"):
        try:
            if not candidate or codecs.lookup(candidate).name in _UNSAFE_CODECS:
                continue
            return _valid(payload.decode(candidate)[:MAX_TEXT])
        except (LookupError, UnicodeError, ValueError):
            continue
    return payload.decode("latin-1")[:MAX_TEXT]


def _transfer_decode(text: str, encoding: str) -> str:
    data = text.encode("ascii", "ignore")
    try:
        decoded = base64.b64decode(data) if encoding == "base64" else quopri.decodestring(data)
    except (binascii.Error, ValueError):
        return text
    return decoded.decode("utf-8", "replace")


def _html_text(markup: str) -> str:
    """HTML to lines of text, linear in the input whatever its shape."""
    markup = _drop_element(_drop_element(markup, "style"), "script")
    return html.unescape(_TAG.sub(" ", _BLOCK_TAG.sub("\n", markup)))


def _drop_element(markup: str, tag: str) -> str:
    lower = markup.lower()
    kept: list[str] = []
    start = 0
    while (opening := lower.find(f"<{tag}", start)) != -1:
        kept.append(markup[start:opening])
        closing = lower.find(f"</{tag}", opening)
        if closing == -1:
            return "".join(kept)
        end = lower.find(">", closing)
        start = len(markup) if end == -1 else end + 1
    kept.append(markup[start:])
    return "".join(kept)


# ---- small text helpers ---------------------------------------------------------------------


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:
        return ""
    return _text(value) if value is not None else ""


def _text(value: object) -> str:
    """A header value as text: 8-bit bytes decoded, RFC 2047 words decoded, capped."""
    try:
        text = _valid(str(value)[:MAX_HEADER])
    except Exception:
        return ""
    if "=?" in text:
        with contextlib.suppress(Exception):  # a broken encoded word stays as it came
            text = str(make_header(decode_header(text)))
    return text


def _valid(text: str) -> str:
    """Undecodable bytes (kept as surrogates by the parser) read as UTF-8 where they are,
    "?" where not: no lone surrogate leaves this module."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def _clean(text: str) -> str:
    """One line of at most MAX_DIAGNOSTIC characters, without control characters."""
    return _SPACES.sub(" ", text[: MAX_DIAGNOSTIC * 20]).strip()[:MAX_DIAGNOSTIC].strip()


def _one_reply(text: str) -> str:
    """A multiline SMTP reply as one: "550-5.1.1 The account… 550-5.1.1 double-check…"
    becomes "550 5.1.1 The account… double-check…"."""
    lead = _REPLY_LEAD.match(text)
    if lead is None:
        return text
    code, enhanced = lead.group(1), lead.group(2) or ""
    again = re.compile(
        rf"\s+{code}[ -]" + (rf"{re.escape(enhanced)}(?=\s)" if enhanced else "") + r"[ \t]*"
    )
    head = f"{code} {enhanced} " if enhanced else f"{code} "
    return head + again.sub(" ", text[lead.end() :])


def _strip_type(value: str) -> str:
    """ "rfc822; jane@example.net" -> "jane@example.net", "smtp; 550 …" -> "550 …"."""
    kind, semicolon, rest = value.partition(";")
    if semicolon and re.fullmatch(r"[ \t]*[A-Za-z][A-Za-z0-9-]{0,30}[ \t]*", kind):
        return rest.strip()
    return value.strip()


def _address_in(text: str) -> str:
    found = _ADDRESS.search(text[:MAX_HEADER])
    return found.group(1).lower().rstrip(".") if found else ""


def _first_word(value: str) -> str:
    words = value.strip().lower().split(None, 1)
    return words[0].rstrip(";,") if words else ""


def _line_at(text: str, index: int) -> str:
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return text[start : end if end != -1 else len(text)]


def _line_matching(text: str, *patterns: re.Pattern[str]) -> str:
    for pattern in patterns:
        found = pattern.search(text)
        if found:
            return _line_at(text, found.start())
    return ""
