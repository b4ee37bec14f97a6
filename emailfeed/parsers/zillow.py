"""Zillow lead notifications: contact requests, tour requests and rental inquiries.

Zillow reshuffles these emails often, so labelled lines are read first; the subject,
the "Name via Zillow" sender and the bare name / email / phone block are fallbacks.
Anything else Zillow sends (market reports, account notices) is ignored."""

from __future__ import annotations

import re

from emailfeed.mail import Mail
from emailfeed.parsers import portal, register
from emailfeed.parsers.base import LeadData, Parsed, Parser, label_values, money, pick

DOMAINS = ("zillow.com",)
LABELS = portal.Labels(
    name=("name", "full name", "contact name", "buyer name", "renter name", "lead name"),
    email=("email", "e-mail", "email address"),
    phone=("phone", "phone number", "mobile", "cell"),
    address=("property", "property address", "address", "listing", "home", "is interested in"),
    price=("list price", "price", "listed at", "asking price", "rent", "monthly rent"),
    mls=("mls #", "mls#", "mls", "mls number", "mls id"),
)

_SUBJECT = re.compile(
    r"\bzillow (?:lead|inquiry|contact|tour request|rental inquiry)|\b(?:from|via) zillow\b", re.I
)
_SUBJECT_NAME = re.compile(
    r"(?:^|:\s*)([^\W\d_][\w.'\u2019 -]{0,60}?)\s+(?:is interested in|wants to|is requesting|"
    r"requested|has a question|asked about|sent you)",
    re.I,
)
_LEAD_SUBJECT = re.compile(
    r"\b(?:lead|inquiry|contact request|tour|question|interested in|wants to|sent you)\b", re.I
)
_FOOTER = portal.footer(r"zillow, inc\.")
_MESSAGE = portal.message_pattern("message|comments?|question", sender=True)
_PRICE_LINE = portal.price_line("listed at", "price", "rent")
_SELLER = re.compile(r"\b(?:sell|seller|selling|home value|valuation)\b", re.I)


class Zillow(Parser):
    name = "zillow"
    source = "Zillow"

    def recognises(self, mail: Mail) -> bool:
        return portal.sent_by(mail, "zillow", DOMAINS) or bool(_SUBJECT.search(mail.subject))

    def parse(self, mail: Mail) -> Parsed:
        body = portal.above_footer(mail.text, _FOOTER)
        values = label_values(body)
        who = portal.person(mail, body, values, LABELS, DOMAINS, _guess_name)
        if who is None:
            return portal.nobody(self.source, mail, _LEAD_SUBJECT)
        price_text = portal.price_text(values, LABELS.price, body, _PRICE_LINE)
        cues = (
            f"{mail.subject}\n{mail.from_name}\n{pick(values, 'lead type', 'type')}\n{price_text}"
        )
        return LeadData(
            source=self.source,
            first_name=who.first,
            last_name=who.last,
            email=who.email,
            phone=who.phone,
            property_address=portal.street_address(pick(values, *LABELS.address), body),
            mls_number=portal.mls_number(values, LABELS.mls, body),
            price=money(price_text),
            message=portal.message(body, _MESSAGE, quoted=True),
            lead_type=portal.listing_lead_type(cues, values, _SELLER, ("rent", "monthly rent")),
        )


def _guess_name(mail: Mail, body: str, email: str) -> str:
    return (
        portal.via_name(mail, "zillow", DOMAINS)
        or portal.phrase_name(_SUBJECT_NAME, mail.subject)
        or portal.name_above_email(body, email)
    )


register(Zillow())
