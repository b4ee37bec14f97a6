"""Facebook lead ads: the notification that carries a lead form's answers.

The answers come as "full_name: …" lines, or as a table of question and answer. A lead
form has no free-text message, so the custom questions and their answers become the
message, and they (then the form's name, then the questions) tell the lead type."""

from __future__ import annotations

import re

from emailfeed.mail import Mail
from emailfeed.parsers import register
from emailfeed.parsers.base import (
    LeadData,
    Parser,
    email_in,
    lead_type_of,
    names,
    one_line,
    phone,
    pick,
)
from emailfeed.parsers.webforms import as_dict, form_pairs, key

_DOMAINS = ("facebookmail.com", "facebook.com", "fb.com", "meta.com")
_STOP = re.compile(r"leads center|this (?:message|email) was sent to", re.IGNORECASE)
_ABOUT = {"form", "form name", "ad", "ad name", "ad set", "campaign", "page", "created",
          "created time", "platform", "lead id", "id", "is organic", "question"}  # fmt: skip
_CONTACT = {"full name", "name", "first name", "last name", "email", "phone number", "phone"}
_PLACE = {"street address", "city", "state", "province", "zip code", "zip", "post code",
          "postal code", "country"}  # fmt: skip


def _display(label: str) -> str:
    text = " ".join(label.replace("_", " ").split())
    return text[:1].upper() + text[1:]


class Facebook(Parser):
    name = "facebook"
    source = "Facebook"

    def recognises(self, mail: Mail) -> bool:
        domain = mail.sender_domain
        ours = any(domain == d or domain.endswith(f".{d}") for d in _DOMAINS)
        return ours and mail.has("lead")

    def parse(self, mail: Mail) -> LeadData:
        pairs = form_pairs(mail, _STOP)
        fields = as_dict(pairs)
        answers: dict[str, tuple[str, str]] = {}  # key: (question, answer), custom ones only
        for label, value in pairs:
            if key(label) not in _ABOUT | _CONTACT | _PLACE:
                answers.setdefault(key(label), (_display(label), value))
        lead_type = (
            lead_type_of("\n".join(a for _q, a in answers.values()))
            or lead_type_of(pick(fields, "form", "form name"))
            or lead_type_of("\n".join(answers))
        )
        address = ""
        for question, (_label, answer) in list(answers.items()):
            if "address" in question and (lead_type == "seller" or "sell" in question):
                address = one_line(*answer.splitlines())
                del answers[question]
                break
        if not address and lead_type == "seller" and fields.get("street address"):
            state_zip = " ".join(p for p in (fields.get("state"), fields.get("zip code")) if p)
            address = one_line(fields["street address"], fields.get("city", ""), state_zip)
        first, last = names(pick(fields, "full name", "name"), pick(fields, "first name"),
                            pick(fields, "last name"))  # fmt: skip
        message = "\n".join(
            f"{q} {a}" if q.endswith("?") else f"{q}: {a}" for q, a in answers.values()
        )
        return LeadData(
            source=self.source,
            first_name=first,
            last_name=last,
            email=email_in(pick(fields, "email")),
            phone=phone(pick(fields, "phone number", "phone")),
            property_address=address,
            message=message[:5000],
            lead_type=lead_type,
        )


register(Facebook())
