"""What a parser returns, and the small tools every parser uses.

A parser is a class with a ``name``, a ``source`` (the lead source it stands for) and
two methods: ``recognises(mail)``, cheap, and ``parse(mail)``, which returns a
``LeadData``, a ``ShowingData`` or an ``Ignored``. Parsers never touch the database."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, ClassVar

from contacts.phones import parse_phone
from emailfeed.mail import Mail
from prospects.import_mapping import split_full_name


@dataclass
class LeadData:
    source: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""  # E.164, or "" when absent or unreadable
    property_address: str = ""  # one line
    mls_number: str = ""
    price: int | None = None
    message: str = ""
    lead_type: str | None = None  # "buyer" | "seller" | "renter" | None
    kind: ClassVar[str] = "lead"

    def as_json(self) -> dict[str, Any]:
        data = {k: (v if v not in ("",) else None) for k, v in asdict(self).items()}
        return {"kind": "lead", **data}


@dataclass
class ShowingData:
    source: str
    property_address: str = ""
    agent_name: str = ""
    agent_email: str = ""
    agent_phone: str = ""
    showing_start: datetime | None = None
    kind: ClassVar[str] = "showing"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {k: (v if v != "" else None) for k, v in asdict(self).items()}
        start = self.showing_start
        data["showing_start"] = start.isoformat() if start else None
        return {"kind": "showing", **data}


@dataclass
class Ignored:
    reason: str  # "newsletter", "auto-reply", "bounce", "spam"
    kind: ClassVar[str] = "ignore"

    def as_json(self) -> dict[str, Any]:
        return {"kind": "ignore", "reason": self.reason}


Parsed = LeadData | ShowingData | Ignored


class Parser:
    name: ClassVar[str] = ""
    source: ClassVar[str] = ""  # the lead source name, e.g. "Zillow"

    def recognises(self, mail: Mail) -> bool:
        raise NotImplementedError

    def parse(self, mail: Mail) -> Parsed:
        raise NotImplementedError


# ---- tools ------------------------------------------------------------------------------------

_LABEL_LINE = re.compile(
    r"^\s*[*•\-]?\s*([A-Za-z][A-Za-z0-9 /#&'()._-]{0,40}?)\s*[:\uff1a]\s*(.*?)\s*$"
)
# Bounded parts, so a long run without an "@" costs linear time, not quadratic.
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}")
_PHONE = re.compile(r"(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}")
_MONEY = re.compile(
    r"\$\s?(\d[\d,]*(?:\.\d{1,2})?)\s*(k|m|mm|mil|million|thousand)?\b", re.IGNORECASE
)
_MLS = re.compile(r"\bMLS\s*(?:#|No\.?|Number|ID)?\s*[:#]?\s*([A-Za-z0-9-]{4,20})", re.IGNORECASE)


def label_values(text: str) -> dict[str, str]:
    """ "Label: value" lines as {lower-case label: value}; a label alone on its line takes
    the next non-empty line as its value (tables rendered to text look like that). The
    first value of a label wins."""
    found: dict[str, str] = {}
    lines = text.splitlines()
    for index, line in enumerate(lines[:2000]):
        if len(line) > 2000:
            continue  # a label line is short; a huge one (base64 junk, a bomb) is skipped
        line = " ".join(line.split())  # runs of blanks made the pattern backtrack
        match = _LABEL_LINE.match(line)
        if not match:
            continue
        label, value = match.group(1).strip().lower(), match.group(2).strip()
        if label.startswith(("http", "https")):
            continue
        if not value:
            following = [candidate.strip() for candidate in lines[index + 1 : index + 3]]
            value = next((c for c in following if c and not _LABEL_LINE.match(c)), "")
        if value and label not in found:
            found[label] = value[:2000]
    return found


def pick(values: dict[str, str], *labels: str) -> str:
    for label in labels:
        if values.get(label):
            return values[label]
    return ""


def phone(raw: str) -> str:
    """E.164 of the first phone-looking thing in ``raw``, or ""."""
    match = _PHONE.search(raw or "")
    candidate = match.group(0) if match else (raw or "")
    parsed = parse_phone(candidate.strip(), "US")
    return parsed.e164.split(";")[0] if parsed.e164 else ""


def email_in(raw: str) -> str:
    match = _EMAIL.search(raw or "")
    return match.group(0).lower() if match else ""


def money(raw: str) -> int | None:
    match = _MONEY.search(raw or "")
    if not match:
        digits = re.sub(r"[^\d]", "", raw or "")
        return int(digits) if digits and len(digits) <= 10 and int(digits) >= 1000 else None
    digits = match.group(1).replace(",", "")
    if not digits.strip("."):
        return None  # "$," and the like
    amount = float(digits)
    unit = (match.group(2) or "").lower()
    scale = 1_000_000 if unit.startswith("m") else 1_000 if unit in ("k", "thousand") else 1
    value = round(amount * scale)
    return value or None


def mls_in(raw: str) -> str:
    match = _MLS.search(raw or "")
    return match.group(1) if match else ""


def names(full: str, first: str = "", last: str = "") -> tuple[str, str]:
    """First and last, from separate values or split from a full name."""
    first, last = first.strip(), last.strip()
    if first or last:
        return first, last
    return split_full_name(full.strip())


def lead_type_of(text: str) -> str | None:
    lowered = (text or "").lower()
    if re.search(r"\b(rent|rental|renter|lease|tenant)\b", lowered):
        return "renter"
    if re.search(
        r"\b(sell|seller|selling|home value|valuation|what'?s my home worth|cma)\b", lowered
    ):
        return "seller"
    if re.search(
        r"\b(buy|buyer|buying|tour|showing|schedule a visit|interested in|inquiry about)\b", lowered
    ):
        return "buyer"
    return None


def one_line(*parts: str) -> str:
    """Address parts joined on one line, blanks and repeated spaces dropped."""
    text = ", ".join(p.strip().strip(",") for p in parts if p and p.strip())
    return re.sub(r"\s+", " ", text).strip()
