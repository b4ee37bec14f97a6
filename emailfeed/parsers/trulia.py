"""Trulia lead notifications: questions and tour requests about a listing.

Labelled "Contact details" lines are read first; the "Name sent you a message on
Trulia" sentence, the "Name via Trulia" sender and the bare name / email / phone block
are fallbacks. Other Trulia mail (saved-search digests, account notices) is ignored."""

from __future__ import annotations

import re

from emailfeed.mail import Mail
from emailfeed.parsers import portal, register
from emailfeed.parsers.base import LeadData, Parsed, Parser, label_values, money, pick

DOMAINS = ("trulia.com",)
LABELS = portal.Labels(
    name=("full name", "name", "contact name"),
    email=("email address", "email", "e-mail"),
    phone=("phone number", "phone", "mobile"),
    address=("property", "property address", "address", "home", "listing"),
    price=("price", "list price", "listed at", "rent"),
    mls=("mls id", "mls #", "mls#", "mls", "mls number"),
)

_SUBJECT = re.compile(
    r"\btrulia (?:lead|inquiry|contact|tour request)|\b(?:from|via) trulia\b", re.I
)
_NAME_PHRASE = re.compile(
    r"(?:^|:[ \t]*)([^\W\d_][\w.'\u2019 -]{0,60}?)[ \t]+(?:sent you a message|would like more "
    r"information|is interested in|wants to|asked about|requested a tour)",
    re.I | re.M,
)
_LEAD_SUBJECT = re.compile(
    r"\b(?:lead|inquiry|tour|question|message about|asked about|sent you|interested in)\b", re.I
)
_FOOTER = portal.footer("part of zillow group", "a zillow group company")
_MESSAGE = portal.message_pattern("message|comments?|question", sender=True)
_PRICE_LINE = portal.price_line("listed at", "price", "rent")


class Trulia(Parser):
    name = "trulia"
    source = "Trulia"

    def recognises(self, mail: Mail) -> bool:
        return portal.sent_by(mail, "trulia", DOMAINS) or bool(_SUBJECT.search(mail.subject))

    def parse(self, mail: Mail) -> Parsed:
        body = portal.above_footer(mail.text, _FOOTER)
        values = label_values(body)
        who = portal.person(mail, body, values, LABELS, DOMAINS, _guess_name)
        if who is None:
            return portal.nobody(self.source, mail, _LEAD_SUBJECT)
        price_text = portal.price_text(values, LABELS.price, body, _PRICE_LINE)
        cues = f"{mail.subject}\n{mail.from_name}\n{price_text}"
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
            # no sellers: Trulia leads ask about a listing
            lead_type=portal.listing_lead_type(cues, values),
        )


def _guess_name(mail: Mail, body: str, email: str) -> str:
    return (
        portal.via_name(mail, "trulia", DOMAINS)
        or portal.phrase_name(_NAME_PHRASE, mail.subject, body)
        or portal.name_above_email(body, email)
    )


register(Trulia())
