"""Opcity referrals (realtor.com's concierge service): a consumer already qualified by
phone and handed to the agent, with the concierge's notes.

Read from the "Consumer" labels; the subject's "Name (Buyer)" is the fallback. The
concierge's notes stand in for the inquirer's message. Other Opcity mail (fee
invoices, status reminders without a consumer) is ignored."""

from __future__ import annotations

import re

from emailfeed.mail import Mail
from emailfeed.parsers import portal, register
from emailfeed.parsers.base import LeadData, Parsed, Parser, label_values, money, pick

DOMAINS = ("opcity.com",)
LABELS = portal.Labels(
    name=("consumer", "consumer name", "client", "client name", "name", "customer name"),
    email=("consumer email", "client email", "email", "email address"),
    phone=("consumer phone", "client phone", "phone", "phone number", "mobile"),
    address=("address", "property address", "home address", "property", "property of interest"),
    price=("list price", "price", "listing price", "rent"),
    mls=("mls #", "mls#", "mls", "mls number", "mls id"),
)
KIND = ("lead type", "referral type", "type")

_SUBJECT = re.compile(r"\bopcity\b", re.I)
_SUBJECT_NAME = re.compile(
    r"(?:referral|lead)\s*:\s*([^\W\d_][\w.'\u2019 -]{0,60}?)\s*\((buyer|seller|renter)\)", re.I
)
_LEAD_SUBJECT = re.compile(r"\breferral:|\((?:buyer|seller|renter)\)", re.I)
_FOOTER = portal.footer("referral fee", "you are receiving this")
_MESSAGE = portal.message_pattern(
    r"notes? from (?:your )?(?:opcity )?concierge|concierge notes?|notes?|message|comments?"
)
_TYPES = {"buyer": "buyer", "buy": "buyer", "seller": "seller", "sell": "seller",
          "renter": "renter", "rent": "renter", "rental": "renter"}  # fmt: skip


class Opcity(Parser):
    name = "opcity"
    source = "Opcity"

    def recognises(self, mail: Mail) -> bool:
        return portal.sent_by(mail, "opcity", DOMAINS) or bool(_SUBJECT.search(mail.subject))

    def parse(self, mail: Mail) -> Parsed:
        body = portal.above_footer(mail.text, _FOOTER)
        values = label_values(body)
        who = portal.person(mail, body, values, LABELS, DOMAINS, _guess_name, reply_to=False)
        if who is None:
            return portal.nobody(self.source, mail, _LEAD_SUBJECT)
        kind = pick(values, *KIND).strip().lower()
        from_subject = _SUBJECT_NAME.search(mail.subject)
        if not kind and from_subject:
            kind = from_subject.group(2).lower()
        return LeadData(
            source=self.source,
            first_name=who.first,
            last_name=who.last,
            email=who.email,
            phone=who.phone,
            property_address=portal.street_address(pick(values, *LABELS.address), body),
            mls_number=portal.mls_number(values, LABELS.mls, body),
            price=money(pick(values, *LABELS.price)),
            message=portal.message(body, _MESSAGE),
            lead_type=_TYPES.get(kind.split()[0] if kind else ""),
        )


def _guess_name(mail: Mail, body: str, email: str) -> str:
    """The "Jane Doe" of a "Referral: Jane Doe (Buyer)" subject."""
    found = _SUBJECT_NAME.search(mail.subject)
    return found.group(1) if found else ""


register(Opcity())
