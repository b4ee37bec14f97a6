"""Redfin Partner Program referrals: a Redfin client handed to a partner agent for a
tour, a question about a listing, or a home to sell.

Read from the "Client" labels; the subject's "Name wants to tour" and the bare name /
email / phone block are fallbacks. Other Redfin mail (partner newsletters, account
notices) is ignored."""

from __future__ import annotations

import re

from emailfeed.mail import Mail
from emailfeed.parsers import portal, register
from emailfeed.parsers.base import LeadData, Parsed, Parser, label_values, money, pick

DOMAINS = ("redfin.com",)
LABELS = portal.Labels(
    name=("client", "client name", "customer", "customer name", "name", "full name"),
    first=("first name", "client first name"),
    last=("last name", "client last name"),
    email=("client email", "customer email", "email", "email address"),
    phone=("client phone", "customer phone", "phone", "phone number", "mobile"),
    address=("home", "property", "address", "property address", "home address", "listing"),
    price=("price", "list price", "listing price", "rent"),
    mls=("mls#", "mls #", "mls", "mls number", "mls id"),
)
KIND = ("referral type", "lead type", "type")

_SUBJECT = re.compile(r"\bredfin (?:referral|partner referral|lead)|\b(?:from|via) redfin\b", re.I)
_NAME_PHRASE = re.compile(
    r"(?:^|:[ \t]*)([^\W\d_][\w.'\u2019 -]{0,60}?)[ \t]+(?:wants to|would like to|is interested in|"
    r"asked about|requested)|\bquestion from ([^\W\d_][\w.'\u2019 -]{0,60}?) about ",
    re.I | re.M,
)
_LEAD_SUBJECT = re.compile(
    r"\breferral:|\bwants to tour\b|\bquestion from\b|\btour request\b", re.I
)
_FOOTER = portal.footer("redfin corporation", "you are receiving this")
_MESSAGE = portal.message_pattern(r"notes? from (?:the )?client|message|comments?|question")
_PRICE_LINE = portal.price_line("listed at", "price")
_SELLER = re.compile(r"\b(?:sell|seller|selling|listing consultation)\b", re.I)


class Redfin(Parser):
    name = "redfin"
    source = "Redfin"

    def recognises(self, mail: Mail) -> bool:
        return portal.sent_by(mail, "redfin", DOMAINS) or bool(_SUBJECT.search(mail.subject))

    def parse(self, mail: Mail) -> Parsed:
        body = portal.above_footer(mail.text, _FOOTER)
        values = label_values(body)
        who = portal.person(mail, body, values, LABELS, DOMAINS, _guess_name)
        if who is None:
            return portal.nobody(self.source, mail, _LEAD_SUBJECT)
        price_text = portal.price_text(values, LABELS.price, body, _PRICE_LINE)
        cues = f"{pick(values, *KIND)}\n{mail.subject}\n{price_text}"
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
            lead_type=portal.listing_lead_type(cues, values, _SELLER),  # else tours, questions
        )


def _guess_name(mail: Mail, body: str, email: str) -> str:
    return portal.phrase_name(_NAME_PHRASE, mail.subject, body) or portal.name_above_email(
        body, email
    )


register(Redfin())
