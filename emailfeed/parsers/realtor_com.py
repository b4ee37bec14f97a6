"""realtor.com lead notifications (sent from realtor.com or Move, Inc.'s move.com).

Buyer inquiries about a listing and seller "what is my home worth" requests share one
labelled layout; the address may come as one line or as Address / City / State / Zip.
Referrals from Opcity, realtor.com's concierge arm, are left to the Opcity parser.
Other realtor.com mail (account notices, performance summaries) is ignored."""

from __future__ import annotations

import re

from emailfeed.mail import Mail
from emailfeed.parsers import portal, register
from emailfeed.parsers.base import LeadData, Parsed, Parser, label_values, money, one_line, pick

DOMAINS = ("realtor.com", "move.com")
LABELS = portal.Labels(
    name=("name", "full name", "lead name", "contact name", "consumer name"),
    email=("email", "email address", "e-mail"),
    phone=("phone", "phone number", "mobile", "cell"),
    address=("property address", "address", "home address", "property", "listing address"),
    price=("list price", "price", "listing price", "rent"),
    mls=("mls id", "mls #", "mls#", "mls", "mls number", "listing id"),
)
KIND = ("lead type", "type", "inquiry type")

_SUBJECT = re.compile(r"\brealtor\.com\W{0,3} lead\b|\blead from realtor\.com", re.I)
_NAME_PHRASE = re.compile(
    r"(?:^|:[ \t]*)([^\W\d_][\w.'\u2019 -]{0,60}?)[ \t]+(?:is interested in|wants to|asked about|"
    r"requested|sent you a message)",
    re.I | re.M,
)
_LEAD_SUBJECT = re.compile(
    r"\bnew (?:\w+ )?lead\b|\blead from\b|\binquiry\b|\bhome value request\b", re.I
)
_FOOTER = portal.footer(r"move, inc\.")
_MESSAGE = portal.message_pattern("comments?|message|question|additional information")
_SELLER = re.compile(r"\b(?:sell|seller|selling|home value|worth|valuation)\b", re.I)


class RealtorCom(Parser):
    name = "realtor_com"
    source = "Realtor.com"

    def recognises(self, mail: Mail) -> bool:
        if "opcity" in mail.sender_domain or "opcity" in mail.subject.lower():
            return False
        return portal.sent_by(mail, "realtor.com", DOMAINS) or bool(_SUBJECT.search(mail.subject))

    def parse(self, mail: Mail) -> Parsed:
        body = portal.above_footer(mail.text, _FOOTER)
        values = label_values(body)
        who = portal.person(mail, body, values, LABELS, DOMAINS, _guess_name)
        if who is None:
            return portal.nobody(self.source, mail, _LEAD_SUBJECT)
        return LeadData(
            source=self.source,
            first_name=who.first,
            last_name=who.last,
            email=who.email,
            phone=who.phone,
            property_address=_address(values, body),
            mls_number=portal.mls_number(values, LABELS.mls, body),
            price=money(pick(values, *LABELS.price)),
            message=portal.message(body, _MESSAGE),
            lead_type=portal.listing_lead_type(
                f"{pick(values, *KIND)}\n{mail.subject}", values, _SELLER
            ),
        )


def _guess_name(mail: Mail, body: str, email: str) -> str:
    return portal.phrase_name(_NAME_PHRASE, mail.subject, body)


def _address(values: dict[str, str], body: str) -> str:
    """The one-line address, or the labelled Address / City / State / Zip put together."""
    street = pick(values, *LABELS.address)
    city, state, postcode = (
        pick(values, "city"),
        pick(values, "state"),
        pick(values, "zip", "zip code"),
    )
    if street and city and not portal.STREET.search(street):
        return one_line(street, city, " ".join(p for p in (state, postcode) if p))
    return portal.street_address(street, body)


register(RealtorCom())
