"""IDX website leads: IDX Broker, iHomefinder and Showcase IDX.

Each names the lead, the listing they asked about (or the home they want valued) and a
request type: more information or a showing makes a buyer, a home valuation a seller.
IDX Broker labels every value; iHomefinder and Showcase IDX write headed sections whose
address and price lines carry no label."""

from __future__ import annotations

import re

from emailfeed.mail import Mail
from emailfeed.parsers import register
from emailfeed.parsers.base import (
    LeadData,
    Parser,
    email_in,
    lead_type_of,
    mls_in,
    money,
    names,
    one_line,
    phone,
    pick,
)
from emailfeed.parsers.webforms import (
    EMAIL,
    FIRST,
    LAST,
    NAME,
    PHONE,
    as_dict,
    form_pairs,
    key,
    lead_from,
    text_fields,
    tidy,
)

_SELLER = re.compile(r"valuation|home value|worth|\bcma\b|\bsell", re.IGNORECASE)
_BUYER = re.compile(r"more info|information|inquiry|question|listing|property|tour|showing",
                    re.IGNORECASE)  # fmt: skip
_DETAILS = re.compile(r"\$|\bMLS\b|\||·|:")  # the line under an address: price, MLS, beds


def request_type(text: str) -> str | None:
    """The lead type a request implies: asking about a listing is buying."""
    if found := lead_type_of(text):
        return found
    if _SELLER.search(text):
        return "seller"
    return "buyer" if _BUYER.search(text) else None


def sections(text: str, headings: dict[str, str],
             stop: re.Pattern[str]) -> tuple[list[str], dict[str, list[str]]]:  # fmt: skip
    """The lines above the first heading, and each heading's lines under its given name."""
    intro: list[str] = []
    found: dict[str, list[str]] = {}
    current = intro
    for line in text.splitlines()[:3000]:
        if stop.search(line):
            break
        heading = headings.get(key(line))
        if heading:
            current = found.setdefault(heading, [])
        else:
            current.append(line.strip())
    return [line for line in intro if line], found


def listing(lines: list[str]) -> tuple[str, str]:
    """(the address on one line, the details under it) from a listing section."""
    lines = [line for line in lines if line]
    for index, line in enumerate(lines[:4]):
        if _DETAILS.search(line):
            return one_line(*lines[:index]), "\n".join(lines[index:])
    return one_line(*lines[:3]), "\n".join(lines[3:])


def _price(details: str) -> int | None:
    return money(details) if "$" in details else None


class IdxBroker(Parser):
    name = "idx_broker"
    source = "IDX Broker"
    stop = re.compile(r"idx broker (?:control panel|dashboard)|powered by idx broker", re.I)

    def recognises(self, mail: Mail) -> bool:
        ours = mail.sender_domain.endswith("idxbroker.com") or self.stop.search(mail.text)
        return bool(ours) and mail.has("lead")

    def parse(self, mail: Mail) -> LeadData:
        fields = as_dict(form_pairs(mail, self.stop))
        request = pick(fields, "request type", "request") or mail.subject
        return lead_from(self.source, fields, hint=mail.subject, lead_type=request_type(request))


class IHomefinder(Parser):
    name = "ihomefinder"
    source = "iHomefinder"
    stop = re.compile(r"delivered by ihomefinder|ihomefinder control panel", re.I)
    headings = {"contact information": "contact", "contact": "contact", "listing": "listing",
                "property of interest": "listing", "property": "listing",
                "home to value": "listing", "message": "message",
                "comments": "message"}  # fmt: skip

    def recognises(self, mail: Mail) -> bool:
        ours = mail.sender_domain.endswith("ihomefinder.com") or self.stop.search(mail.text)
        return bool(ours) and mail.has("lead")

    def parse(self, mail: Mail) -> LeadData:
        intro, parts = sections(mail.text, self.headings, self.stop)
        fields = as_dict(text_fields("\n".join(parts.get("contact", []))))
        first, last = names(pick(fields, *NAME), pick(fields, *FIRST), pick(fields, *LAST))
        address, details = listing(parts.get("listing", []))
        return LeadData(
            source=self.source,
            first_name=first,
            last_name=last,
            email=email_in(pick(fields, *EMAIL)),
            phone=phone(pick(fields, *PHONE)),
            property_address=address,
            mls_number=mls_in(details),
            price=_price(details),
            message=tidy("\n".join(parts.get("message", []))),
            lead_type=request_type("\n".join([mail.subject, *intro])),
        )


_ACTION = re.compile(r"^(.{1,60}?)\s+(?:wants|would like|requested|asked)\b", re.IGNORECASE)


class ShowcaseIdx(Parser):
    name = "showcase_idx"
    source = "Showcase IDX"
    stop = re.compile(r"sent by showcase idx|showcase idx dashboard", re.I)
    headings = {"contact": "contact", "contact details": "contact", "listing": "listing",
                "property": "listing", "home": "listing", "note": "message",
                "message": "message", "comments": "message"}  # fmt: skip

    def recognises(self, mail: Mail) -> bool:
        ours = mail.sender_domain.endswith("showcaseidx.com") or self.stop.search(mail.text)
        return bool(ours) and mail.has("lead")

    def parse(self, mail: Mail) -> LeadData:
        intro, parts = sections(mail.text, self.headings, self.stop)
        contact = [line for line in parts.get("contact", []) if line]
        action = next((line for line in intro if _ACTION.match(line)), "")
        person = next((line for line in contact if "@" not in line and not re.search(r"\d", line)),
                      "")  # fmt: skip
        if not person and (found := _ACTION.match(action)):
            person = found.group(1)
        numbers = [line for line in contact if "@" not in line and len(re.findall(r"\d", line)) > 6]
        address, details = listing(parts.get("listing", []))
        first, last = names(person)
        return LeadData(
            source=self.source,
            first_name=first,
            last_name=last,
            email=next((email_in(line) for line in contact if email_in(line)), ""),
            phone=phone(numbers[0]) if numbers else "",
            property_address=address,
            mls_number=mls_in(details),
            price=_price(details),
            message=tidy("\n".join(parts.get("message", []))),
            lead_type=request_type(f"{action}\n{mail.subject}"),
        )


register(IdxBroker())
register(IHomefinder())
register(ShowcaseIdx())
