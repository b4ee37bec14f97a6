"""Website contact forms: Contact Form 7, WPForms, Gravity Forms, Wix and Squarespace.

Each product is known by what only it sends (a footer, a default subject, its sender),
never by words every form uses; the generic reader after us takes the forms nobody
knows. The field readers here also serve the Facebook and IDX parsers: "Label: value"
lines, a label alone above its value, and HTML tables of label and value cells."""

from __future__ import annotations

import re
from email.utils import parseaddr

from emailfeed.mail import Mail, html_to_text
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

Pairs = list[tuple[str, str]]

NAME = ("name", "full name", "your name", "contact name", "lead name")
FIRST = ("first name", "first", "given name")
LAST = ("last name", "last", "surname", "family name")
EMAIL = ("email", "e-mail", "email address", "e-mail address", "your email")
PHONE = ("phone", "phone number", "telephone", "mobile", "mobile phone", "cell", "cell phone",
         "your phone")  # fmt: skip
MESSAGE = ("message", "message body", "comments", "comment", "comment or message", "your message",
           "questions", "question", "notes", "additional information", "how can we help?",
           "how can we help you?")  # fmt: skip
ADDRESS = ("property address", "address", "street address", "listing address", "property",
           "property of interest", "home address")  # fmt: skip
CITY = ("city",)
STATE = ("state",)
ZIP = ("zip", "zip code", "zipcode", "postal code")
MLS = ("mls", "mls #", "mls#", "mls number", "mls id", "listing id", "listing #")
PRICE = ("price", "list price", "listing price", "asking price")
INTEREST = ("i am interested in", "i'm interested in", "interested in", "i am looking to",
            "i'm looking to", "looking to", "i am a", "i'm a", "inquiry type",
            "reason for inquiry")  # fmt: skip
KNOWN = {*NAME, *FIRST, *LAST, *EMAIL, *PHONE, *MESSAGE, *ADDRESS, *CITY, *STATE, *ZIP, *MLS,
         *PRICE, *INTEREST, "subject"}  # fmt: skip

_LABEL = re.compile(r"^[ \t]*(?:[*•][ \t]*)?([A-Za-z][^:\n]{0,59}?)[ \t]*:(?!//)[ \t]*(.*)$")
_DASHED = re.compile(r"^-{3} (?!-)(.+?) -{3}\s*$", re.MULTILINE)  # WPForms: "--- Name ---"
_ROW = re.compile(r"<tr\b[^<>]*>((?:(?!<tr\b|</tr>).)*)</tr>", re.IGNORECASE | re.DOTALL)
_CELL = re.compile(r"<t[dh]\b[^<>]*>((?:(?!<t[dh]\b|</t[dh]>).)*)", re.IGNORECASE | re.DOTALL)
_LABEL_ROW = re.compile(r"eaf2fa|field-name|field-label|<th\b", re.IGNORECASE)
_BOLD = re.compile(r"<(strong|b)\b[^<>]*>.*?</\1>", re.IGNORECASE | re.DOTALL)
_RENT = re.compile(r"/\s*mo\b|month|\brent|lease", re.IGNORECASE)
_BR = re.compile(r"<br\s*/\s*>", re.IGNORECASE)
_NOT_ADDRESS = re.compile(r"^\s*(map it|united states(?: of america)?|usa?)\s*$", re.IGNORECASE)


def key(label: str) -> str:
    """A label as the tuples above spell it: lower case, single spaces, no underscores."""
    text = label.replace("_", " ").replace("\u2019", "'").lower()
    return " ".join(text.split()).strip(" :*")


def tidy(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()[:5000]


def _label(line: str) -> tuple[str, str] | None:
    match = _LABEL.match(line)
    if not match:
        return None
    label = match.group(1).strip()
    if len(label.split()) > 8 or "@" in label or "http" in label.lower():
        return None
    return label, match.group(2).strip()


def text_fields(text: str, stop: re.Pattern[str] | None = None) -> Pairs:
    """(label, value) in order. A value runs on over the following lines until a blank
    line; a message runs on over blank lines until a label we know, or ``stop``."""
    found: list[tuple[str, list[str]]] = []
    is_open = False
    for line in _DASHED.sub(r"\1:", text or "").splitlines()[:3000]:
        if stop is not None and stop.search(line):
            break
        labelled = _label(line)
        in_message = is_open and key(found[-1][0]) in MESSAGE
        if labelled and (not in_message or key(labelled[0]) in KNOWN or labelled[0].endswith("?")):
            found.append((labelled[0], [labelled[1]] if labelled[1] else []))
            is_open = True
        elif is_open:
            lines = found[-1][1]
            if line.strip():
                lines.append(line.strip())
            elif in_message:
                lines.append("")
            elif lines:
                is_open = False
    pairs = [(label, tidy("\n".join(lines))) for label, lines in found]
    return [(label, value) for label, value in pairs if value and value.lower() != "(empty)"]


def _cell_text(cell: str) -> str:
    """A cell's text; source newlines are spaces, and "<br />" is one break, not two."""
    return html_to_text(_BR.sub("<br>", re.sub(r"\s+", " ", cell[:20_000])))[0]


def _is_label_cell(row: str, cell: str) -> bool:
    if _LABEL_ROW.search(row[:2000]):
        return True
    return (
        len(cell) < 2000 and bool(_BOLD.search(cell)) and not html_to_text(_BOLD.sub("", cell))[0]
    )


def html_fields(html: str) -> Pairs:
    """(label, value) from table rows: a label cell beside its value, or a label row
    (bold, a header cell, a labelled class) above a value row."""
    pairs: Pairs = []
    pending = ""
    for count, row in enumerate(_ROW.finditer(html or "")):
        if count > 500:
            break
        cells = [(c, _cell_text(c)) for c in _CELL.findall(row.group(1))]
        cells = [(c, text) for c, text in cells if text]
        if len(cells) >= 2:
            pairs.append((cells[0][1].rstrip(":").strip(), cells[1][1]))
            pending = ""
        elif len(cells) == 1 and _is_label_cell(row.group(0), cells[0][0]):
            pending = cells[0][1].rstrip(":").strip()
        elif len(cells) == 1 and pending:
            pairs.append((pending, cells[0][1]))
            pending = ""
    return [(label, tidy(value)) for label, value in pairs if 0 < len(label) <= 80]


def form_pairs(mail: Mail, stop: re.Pattern[str] | None = None) -> Pairs:
    """The HTML's table fields first, then the text's. When the tables hold the form, only
    known labels are taken from the text: a table flattened to text reads as junk labels."""
    from_html = html_fields(mail.html)
    from_text = text_fields(mail.text, stop)
    if any(key(label) in KNOWN for label, _value in from_html):
        from_text = [(label, value) for label, value in from_text if key(label) in KNOWN]
    return from_html + from_text


def as_dict(pairs: Pairs) -> dict[str, str]:
    found: dict[str, str] = {}
    for label, value in pairs:
        if value:
            found.setdefault(key(label), value)
    return found


def address_of(fields: dict[str, str]) -> str:
    """The property address on one line, from one field over several lines or from
    street, city, state and zip fields."""
    street = pick(fields, *ADDRESS)
    if not street:
        return ""
    text = one_line(*(line for line in street.splitlines() if not _NOT_ADDRESS.match(line)))
    state_zip = " ".join(p for p in (pick(fields, *STATE), pick(fields, *ZIP)) if p)
    for part in (pick(fields, *CITY), state_zip):
        if part and part.lower() not in text.lower():
            text = one_line(text, part)
    return text


def lead_from(source: str, fields: dict[str, str], hint: str = "",
              lead_type: str | None = None) -> LeadData:  # fmt: skip
    """A lead from fields keyed as ``key`` spells them; ``hint`` (a subject, a form's
    name) helps guess the lead type when no field states it."""
    first, last = names(pick(fields, *NAME), pick(fields, *FIRST), pick(fields, *LAST))
    message = tidy(pick(fields, *MESSAGE))
    mls = re.search(r"[A-Za-z0-9-]{4,20}", pick(fields, *MLS))
    price = pick(fields, *PRICE)
    listing_type = None  # asking about a listing is buying it, or renting it
    if mls or price:
        listing_type = "renter" if _RENT.search(price) else "buyer"
    return LeadData(
        source=source,
        first_name=first,
        last_name=last,
        email=email_in(pick(fields, *EMAIL)),
        phone=phone(pick(fields, *PHONE)),
        property_address=address_of(fields),
        mls_number=mls.group(0) if mls else mls_in(message),
        price=money(price),
        message=message,
        lead_type=lead_type
        or lead_type_of(pick(fields, *INTEREST))
        or listing_type
        or lead_type_of(f"{hint}\n{pick(fields, 'subject')}\n{message}"),
    )


class _Form(Parser):
    source = "Website"
    stop: re.Pattern[str] | None = None

    def fields(self, mail: Mail) -> dict[str, str]:
        fields = as_dict(form_pairs(mail, self.stop))
        if not pick(fields, *EMAIL) and not mail.forwarded:  # the form's sender, as Reply-To
            fields["email"] = email_in(mail.header("reply-to"))
        return fields

    def parse(self, mail: Mail) -> LeadData:
        return lead_from(self.source, self.fields(mail), hint=mail.subject)


_CF7_FOOTER = re.compile(r"this e-?mail was sent from a contact form on", re.IGNORECASE)
_FROM_LINE = re.compile(r"^[ \t]*From:[ \t]*(.+)$", re.IGNORECASE | re.MULTILINE)
_BODY_START = re.compile(r"^[ \t]*Message Body:", re.IGNORECASE | re.MULTILINE)


def _cf7_sender(text: str) -> tuple[str, str]:
    """The last "From: NAME <EMAIL>" above "Message Body:" (a forward shows its own first)."""
    head = _BODY_START.split(text, maxsplit=1)[0]
    for line in reversed(_FROM_LINE.findall(head)):
        name, address = parseaddr(line.strip())
        if email_in(address):
            return name.strip(), email_in(address)
    return "", ""


class ContactForm7(_Form):
    """CF7's default mail: "From: NAME <EMAIL>", "Subject:", "Message Body:", its footer."""

    name = "contact_form_7"
    stop = re.compile(r"^\s*--\s*$|this e-?mail was sent from a contact form on", re.IGNORECASE)

    def recognises(self, mail: Mail) -> bool:
        return bool(_CF7_FOOTER.search(mail.text))

    def fields(self, mail: Mail) -> dict[str, str]:
        fields = super().fields(mail)
        name, address = _cf7_sender(mail.text)
        if not address and mail.forwarded and mail.html:  # the unwrapping ate "From:"
            name, address = _cf7_sender(html_to_text(mail.html)[0])
        if address:
            fields["email"] = pick(fields, *EMAIL) or address
            if not pick(fields, *NAME, *FIRST, *LAST):
                fields["name"] = name
        return fields


class WPForms(_Form):
    """WPForms: "New Entry: FORM" subjects, "--- Label ---" plain text, its own classes."""

    name = "wpforms"
    stop = re.compile(r"^\s*--\s*$|^\s*sent from\b", re.IGNORECASE)

    def recognises(self, mail: Mail) -> bool:
        return (
            mail.subject.lower().startswith("new entry:")
            or len(_DASHED.findall(mail.text)) >= 2
            or "wpforms" in mail.html.lower()
        )


class GravityForms(_Form):
    """Gravity Forms: "New submission from FORM", and its {all_fields} table's row colour."""

    name = "gravity_forms"

    def recognises(self, mail: Mail) -> bool:
        colour = re.search(r"bgcolor=[\"']?#eaf2fa", mail.html, re.IGNORECASE)
        return mail.subject.lower().startswith("new submission from") or bool(colour)


class Wix(_Form):
    """Wix Forms notifications, from Wix or signed by Wix Forms."""

    name = "wix"
    stop = re.compile(r"sent by wix forms|wix dashboard", re.IGNORECASE)

    def recognises(self, mail: Mail) -> bool:
        domain = mail.sender_domain
        from_wix = domain == "wix.com" or domain.endswith((".wix.com", "wixforms.com"))
        return (from_wix and mail.has("submission")) or "sent by wix forms" in mail.text.lower()


class Squarespace(_Form):
    """Squarespace form blocks: "Form Submission - …" from squarespace.info, its footer."""

    name = "squarespace"
    stop = re.compile(r"^\s*\(sent via .*\)\s*$", re.IGNORECASE)

    def recognises(self, mail: Mail) -> bool:
        domain = mail.sender_domain
        ours = domain.endswith(("squarespace.info", "squarespace.com"))
        marked = "sent via form submission from" in mail.text.lower()
        return marked or (ours and mail.subject.lower().startswith("form submission"))


register(ContactForm7())
register(WPForms())
register(GravityForms())
register(Wix())
register(Squarespace())
