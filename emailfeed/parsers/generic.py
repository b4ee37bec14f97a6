"""The last resort for any contact-me form: "Name: …", "Email: …", "Phone: …" lines.

Only takes a message that has at least an email or a phone under such a label, so a
newsletter that says "Call us: 555-0100" in passing is not a lead."""

from __future__ import annotations

from emailfeed.mail import Mail
from emailfeed.parsers import register
from emailfeed.parsers.base import (
    LeadData,
    Parser,
    email_in,
    label_values,
    lead_type_of,
    mls_in,
    money,
    names,
    one_line,
    phone,
    pick,
)

NAME = ("name", "full name", "your name", "contact name", "lead name", "customer name")
FIRST = ("first name", "first", "fname", "given name")
LAST = ("last name", "last", "lname", "surname", "family name")
EMAIL = ("email", "e-mail", "email address", "your email", "e-mail address")
PHONE = ("phone", "phone number", "telephone", "mobile", "cell", "your phone", "tel")
MESSAGE = ("message", "comments", "comment", "question", "questions", "inquiry", "your message",
           "notes", "details")  # fmt: skip
ADDRESS = ("property address", "property", "address", "listing address", "home address")
CITY = ("city",)
STATE = ("state",)
ZIP = ("zip", "zip code", "postal code")
PRICE = ("price", "list price", "listing price", "asking price")


class Generic(Parser):
    name = "generic"
    source = "Website"

    def recognises(self, mail: Mail) -> bool:
        values = label_values(mail.text)
        return bool(email_in(pick(values, *EMAIL)) or phone(pick(values, *PHONE)))

    def parse(self, mail: Mail) -> LeadData:
        values = label_values(mail.text)
        first, last = names(pick(values, *NAME), pick(values, *FIRST), pick(values, *LAST))
        street = pick(values, *ADDRESS)
        state_zip = " ".join(p for p in (pick(values, *STATE), pick(values, *ZIP)) if p)
        city_line = one_line(pick(values, *CITY), state_zip)
        message = pick(values, *MESSAGE)
        return LeadData(
            source=self.source,
            first_name=first,
            last_name=last,
            email=email_in(pick(values, *EMAIL)),
            phone=phone(pick(values, *PHONE)),
            property_address=one_line(street, city_line) if street else "",
            mls_number=mls_in(mail.text),
            price=money(pick(values, *PRICE)),
            message=message[:5000],
            lead_type=lead_type_of(f"{mail.subject}\n{message}"),
        )


register(Generic())
