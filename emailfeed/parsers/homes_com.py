"""Homes.com lead notifications: requests for information and tours on a listing.

Read from the labelled Contact / Listing sections; the "Name is interested in" line,
the bare name / email / phone block and the first street line are the fallbacks.
Other Homes.com mail (agent marketing, account notices) is ignored."""

from __future__ import annotations

import re

from emailfeed.mail import Mail
from emailfeed.parsers import portal, register
from emailfeed.parsers.base import LeadData, Parsed, Parser, label_values, money, pick

DOMAINS = ("homes.com",)
LABELS = portal.Labels(
    name=("name", "full name", "contact name", "buyer name"),
    email=("email", "email address", "e-mail"),
    phone=("phone", "phone number", "mobile", "cell"),
    address=("address", "property address", "property", "listing", "listing address"),
    price=("price", "list price", "listing price", "rent"),
    mls=("mls number", "mls #", "mls#", "mls", "mls id"),
)

_SUBJECT = re.compile(r"\bhomes\.com (?:lead|inquiry)|\b(?:from|via) homes\.com\b", re.I)
_NAME_PHRASE = re.compile(
    r"(?:^|:[ \t]*)([^\W\d_][\w.'\u2019 -]{0,60}?)[ \t]+(?:is interested in|wants to|would like|"
    r"requested|asked about|sent you a message)",
    re.I | re.M,
)
_LEAD_SUBJECT = re.compile(
    r"\b(?:lead|request for info|inquiry|tour request|interested in)\b", re.I
)
_FOOTER = portal.footer(r"homes\.com, inc", "you are receiving this")
_MESSAGE = portal.message_pattern("message|comments?|question", sender=True)
_PRICE_LINE = portal.price_line("listed at", "price")


class HomesCom(Parser):
    name = "homes_com"
    source = "Homes.com"

    def recognises(self, mail: Mail) -> bool:
        return portal.sent_by(mail, "homes.com", DOMAINS) or bool(_SUBJECT.search(mail.subject))

    def parse(self, mail: Mail) -> Parsed:
        body = portal.above_footer(mail.text, _FOOTER)
        values = label_values(body)
        who = portal.person(mail, body, values, LABELS, DOMAINS, _guess_name)
        if who is None:
            return portal.nobody(self.source, mail, _LEAD_SUBJECT)
        price_text = portal.price_text(values, LABELS.price, body, _PRICE_LINE)
        return LeadData(
            source=self.source,
            first_name=who.first,
            last_name=who.last,
            email=who.email,
            phone=who.phone,
            property_address=portal.street_address(pick(values, *LABELS.address), body),
            mls_number=portal.mls_number(values, LABELS.mls, body),
            price=money(price_text),
            message=portal.message(body, _MESSAGE),
            # no sellers: Homes.com leads ask about a listing
            lead_type=portal.listing_lead_type(f"{mail.subject}\n{price_text}", values),
        )


def _guess_name(mail: Mail, body: str, email: str) -> str:
    return portal.phrase_name(_NAME_PHRASE, mail.subject, body) or portal.name_above_email(
        body, email
    )


register(HomesCom())
