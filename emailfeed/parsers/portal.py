"""Shared tools for the portal parsers (Zillow, Trulia, realtor.com, Homes.com, Redfin, Opcity).

Portal notifications share one shape: a labelled contact block, a listing address on one or
two lines, and a footer carrying the portal's own address and help line. Each portal module
keeps what is its own (domains, labels, subject patterns, footer markers) and passes it here.
Not a parser: it registers nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from emailfeed.mail import Mail
from emailfeed.parsers.base import Ignored, LeadData, email_in, mls_in, names, phone, pick

STREET = re.compile(
    r"^[ \t]*(\d+[A-Za-z]?\s[^\n]{2,60}?)\s*[,\n]\s*([^\W\d_][\w .'-]{1,40}?),\s*([A-Z]{2})\s+"
    r"(\d{5}(?:-\d{4})?)\b",
    re.M,
)
RENTAL = re.compile(r"\b(?:rentals?|renter|rent|lease)\b|/mo\b", re.I)

_FOOTER_COMMON = r"unsubscribe|©|\(c\) \d{4}|all rights reserved|privacy policy"
_QUOTED = re.compile(r'^[ \t]*["“]([^"“”]{1,3000}?)["”][ \t]*$', re.M)
_PHONES = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?(\d{3})\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)")
_TOLL_FREE = {"800", "833", "844", "855", "866", "877", "888"}  # the portals' help lines
_PERSON = re.compile(r"[^\W\d_][\w.'\u2019-]*(?: [^\W\d_][\w.'\u2019-]*){0,3}")
_LOCAL_PART = re.compile(r"[\w.%+'-]{1,64}\Z")
_DOMAIN_PART = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_MLS_TOKEN = re.compile(r"\s*#?\s*([A-Za-z0-9-]{3,20})")


@dataclass(frozen=True)
class Labels:
    """The labels one portal puts on each field, the likeliest first."""

    name: tuple[str, ...]
    email: tuple[str, ...]
    phone: tuple[str, ...]
    address: tuple[str, ...]
    price: tuple[str, ...]
    mls: tuple[str, ...]
    first: tuple[str, ...] = ("first name",)
    last: tuple[str, ...] = ("last name",)


class Person(NamedTuple):
    email: str
    first: str
    last: str
    phone: str


NameGuess = Callable[[Mail, str, str], str]  # (mail, body, email found) -> full name or ""


# ---- recognition ------------------------------------------------------------------------------


def owned_by(address: str, domains: tuple[str, ...]) -> bool:
    """Whether ``address`` is at one of ``domains`` or a subdomain of one."""
    domain = address.rpartition("@")[2].lower()
    return any(domain == d or domain.endswith(f".{d}") for d in domains)


def sent_by(mail: Mail, brand: str, domains: tuple[str, ...]) -> bool:
    """Whether the portal sent ``mail``: from its domains, through a forwarder that kept
    X-Original-From, or in an Outlook forward whose "From: Brand [mailto:…]" line leaves
    only the brand."""
    sender = mail.from_address
    if mail.forwarded and "@" not in sender and sender.startswith(brand):
        return True
    return owned_by(sender, domains) or owned_by(email_in(mail.header("x-original-from")), domains)


# ---- the body ---------------------------------------------------------------------------------


def footer(*markers: str) -> re.Pattern[str]:
    """A footer line: the usual legal lines, or one of the portal's own ``markers`` (regex)."""
    return re.compile(rf"^.*(?:{_FOOTER_COMMON}|{'|'.join(markers)}).*$", re.I | re.M)


def above_footer(text: str, footer: re.Pattern[str]) -> str:
    """The text above the portal's footer, so its office address and help line stay out.
    A footer-like line among the first five is taken for content, not the footer."""
    for found in footer.finditer(text):
        if text.count("\n", 0, found.start()) >= 5:
            return text[: found.start()]
    return text


# ---- the inquirer -----------------------------------------------------------------------------


def person(
    mail: Mail,
    body: str,
    values: dict[str, str],
    labels: Labels,
    domains: tuple[str, ...],
    guess_name: NameGuess,
    *,
    reply_to: bool = True,
) -> Person | None:
    """The inquirer from the labelled lines, with the fallbacks for what is unlabelled;
    None when nobody is there (a notice, or a layout we cannot read)."""
    email = email_in(pick(values, *labels.email)) or consumer_email(
        mail, body, domains, reply_to=reply_to
    )
    first, last = names(
        pick(values, *labels.name) or guess_name(mail, body, email),
        pick(values, *labels.first),
        pick(values, *labels.last),
    )
    number = phone(pick(values, *labels.phone)) or fallback_phone(body)
    if not (email or number or first or last):
        return None
    return Person(email, first, last, number)


def nobody(source: str, mail: Mail, lead_subject: re.Pattern[str]) -> LeadData | Ignored:
    """What a portal message with nobody in it is: an empty lead when its subject says it is
    one (so a later parser may read it), else a newsletter or notice."""
    return LeadData(source) if lead_subject.search(mail.subject) else Ignored("newsletter")


def addresses(body: str) -> Iterator[str]:
    """Every email address in the body, lower-cased, each read outwards from its "@"
    (``base.email_in`` gives only the first one)."""
    for at in re.finditer("@", body):
        local = _LOCAL_PART.search(body, max(0, at.start() - 64), at.start())
        domain = _DOMAIN_PART.match(body, at.end(), at.end() + 255)
        if local and domain:
            yield f"{local.group(0)}@{domain.group(0)}".lower()


def consumer_email(
    mail: Mail, body: str, domains: tuple[str, ...], *, reply_to: bool = True
) -> str:
    """The first address in the body that is neither the portal's nor the agent's; with
    ``reply_to``, then the Reply-To of a message that was not forwarded."""
    for address in addresses(body):
        if not owned_by(address, domains) and address not in mail.to:
            return address
    if not reply_to:
        return ""
    found = email_in(mail.header("reply-to"))
    return found if found and not mail.forwarded and not owned_by(found, domains) else ""


def via_name(mail: Mail, brand: str, domains: tuple[str, ...]) -> str:
    """The name in a "Jane Doe via Zillow" sender, when the portal sent the message."""
    via = re.compile(rf"\s+(?:via|from|on)\s+{re.escape(brand)}\b.*$", re.I)
    if owned_by(mail.from_address, domains) and via.search(mail.from_name):
        return via.sub("", mail.from_name)
    return ""


def phrase_name(phrase: re.Pattern[str], *texts: str) -> str:
    """The name captured by ``phrase`` ("Jane Doe is interested in…") in the first of
    ``texts`` where it matches; the first group that took part wins."""
    for text in texts:
        found = phrase.search(text)
        if found:
            return next((group for group in found.groups() if group), "")
    return ""


def name_above_email(body: str, email: str) -> str:
    """The name on the line above the email in a bare "name / email / phone" block."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    for index, line in enumerate(lines[1:], start=1):
        if email and email in line.lower() and _PERSON.fullmatch(lines[index - 1]):
            return lines[index - 1]
    return ""


def fallback_phone(body: str) -> str:
    """The first phone in the body that is not a toll-free help line."""
    for found in _PHONES.finditer(body):
        if found.group(1) not in _TOLL_FREE:
            return phone(found.group(0))
    return ""


# ---- the listing and the message ---------------------------------------------------------------


def street_address(labelled: str, body: str) -> str:
    """ "Street, City, ST 12345" from a street line followed by "City, ST 12345" on the same
    or the next line, in the labelled value or else the body; a labelled value that starts
    with a house number is kept as it is."""
    found = STREET.search(labelled) or STREET.search(body)
    if found:
        street, city, state, postcode = (" ".join(part.split()) for part in found.groups())
        return f"{street.rstrip(',')}, {city}, {state} {postcode}"
    return " ".join(labelled.split()) if labelled[:1].isdigit() else ""


def price_line(*labels: str) -> re.Pattern[str]:
    """A line that starts with an amount, optionally after one of ``labels``."""
    words = "|".join(re.escape(label) for label in labels)
    return re.compile(rf"^[ \t]*(?:{words})?[ \t:]*(\$[ \t]?[\d,]+[kKmM]?)", re.I | re.M)


def price_text(
    values: dict[str, str], labels: tuple[str, ...], body: str, line: re.Pattern[str] | None
) -> str:
    """The labelled price, or else the first ``line`` match in the body (when given)."""
    text = pick(values, *labels)
    if text or line is None:
        return text
    found = line.search(body)
    return found.group(1) if found else ""


def mls_number(values: dict[str, str], labels: tuple[str, ...], body: str) -> str:
    """The labelled MLS number, or else one written "MLS# …" in the body."""
    return _mls(pick(values, *labels)) or _mls(mls_in(body))


def _mls(value: str) -> str:
    token = _MLS_TOKEN.match(value)
    return token.group(1) if token and re.search(r"\d", token.group(1)) else ""


def message_pattern(labels: str, *, sender: bool = False) -> re.Pattern[str]:
    """A message block: one of ``labels`` (regex alternatives), with "from Jane" after it
    when ``sender``, then a colon or a line break; the block runs to the next blank line."""
    after = r"(?: from [^:\n]{1,60})?" if sender else ""
    return re.compile(
        rf"^[ \t]*(?:{labels}){after}[ \t]*(?::|\n)\s*(\S.*?)(?=\n[ \t]*\n|\Z)",
        re.I | re.M | re.S,
    )


def message(body: str, pattern: re.Pattern[str], *, quoted: bool = False) -> str:
    """The message block on one line; with ``quoted``, a "quoted" line stands in for a
    missing block and the quotes are dropped."""
    found = pattern.search(body) or (_QUOTED.search(body) if quoted else None)
    if not found:
        return ""
    text = " ".join(found.group(1).split())
    return (text.strip('"“” ') if quoted else text)[:5000]


def listing_lead_type(
    cues: str,
    values: dict[str, str],
    seller: re.Pattern[str] | None = None,
    rent_labels: tuple[str, ...] = ("rent",),
) -> str:
    """ "renter" when the cues or a rent label say so, "seller" when ``seller`` matches the
    cues, else "buyer": every other portal inquiry is about a home for sale."""
    if RENTAL.search(cues) or any(label in values for label in rent_labels):
        return "renter"
    if seller and seller.search(cues):
        return "seller"
    return "buyer"
