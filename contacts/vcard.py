"""vCard files: people out as vCard 3.0 that phones accept, and in from 2.1, 3.0 and 4.0.

Hand-written rather than a dependency: the part of the format that address books
really use is small, and what matters here is how each field lands in a person
record (labels, mailing address, year-less birthdays), which no library decides
for us. ``parse`` never raises on bad input: each card comes back with its
position, and a card that cannot become a person says why in ``problem``.
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import Model

    from contacts.models import Contact
    from contacts.services import ContactData

CRLF = "\r\n"
FOLD_OCTETS = 75
# A birthday without a year (--0304) keeps month and day under Apple's stand-in year,
# a leap year so February 29 fits; it is written back with X-APPLE-OMIT-YEAR.
NO_YEAR = 1604
PRODID = "-//Real-estate CRM//vCard export//EN"

# Our labels and the TYPE values that carry them.
PHONE_TYPES = {"mobile": "CELL", "home": "HOME", "work": "WORK", "other": "VOICE"}
EMAIL_TYPES = {"personal": "INTERNET,HOME", "work": "INTERNET,WORK", "other": "INTERNET"}
ADDRESS_TYPES = {"home": "HOME", "work": "WORK", "other": ""}

_ENCODINGS = {"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"}
_NEWLINES = re.compile(r"\r\n|\r|\n")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
_AB_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")  # Apple's built-in labels: _$!<Mobile>!$_


# ---- what a card holds -------------------------------------------------------------------


@dataclass
class CardPhone:
    number: str
    label: str = "mobile"


@dataclass
class CardEmail:
    address: str
    label: str = "personal"


@dataclass
class CardAddress:
    street: str = ""
    unit: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    label: str = "home"
    is_mailing: bool = True


@dataclass
class Card:
    """One person as a vCard sees them."""

    first_name: str = ""
    last_name: str = ""
    company: str = ""
    title: str = ""
    birthday: date | None = None
    phones: list[CardPhone] = field(default_factory=list)
    emails: list[CardEmail] = field(default_factory=list)
    addresses: list[CardAddress] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.company or (self.emails[0].address if self.emails else "")


@dataclass
class ParsedCard(Card):
    """A card read from a file: where it was, and what went wrong if anything."""

    position: int = 0  # 1 for the first card of the file
    line: int = 0  # the line of its BEGIN:VCARD
    version: str = ""
    problem: str = ""  # set when the card cannot become a person
    warnings: list[str] = field(default_factory=list)  # kept, but something was left out

    @property
    def ok(self) -> bool:
        return not self.problem

    def _warn(self, text: str) -> None:
        if text not in self.warnings:  # converting twice says it once
            self.warnings.append(text)

    def to_contact_data(
        self, *, database: str = "contacts", category_ids: list[int] | None = None
    ) -> ContactData:
        """The person to create. Values too long for their column are cut, with a warning;
        an email address that is not one is left out, with a warning."""
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        from contacts.models import Address, Contact, Email, Phone
        from contacts.services import AddressInput, ContactData, EmailInput, PhoneInput

        def fit(model: type[Model], name: str, value: str, what: str) -> str:
            limit = getattr(model._meta.get_field(name), "max_length", None)
            if limit and len(value) > limit:
                self._warn(f"{what} cut to {limit} characters.")
                return value[:limit]
            return value

        fields: dict[str, object] = {
            "first_name": fit(Contact, "first_name", self.first_name, "First name"),
            "last_name": fit(Contact, "last_name", self.last_name, "Last name"),
            "company": fit(Contact, "company", self.company, "Company"),
            "vendor_type": fit(Contact, "vendor_type", self.title, "Title"),
            "birthday": self.birthday,
            "database": database,
        }
        emails = []
        for email in self.emails:
            try:
                validate_email(email.address)
            except ValidationError:
                self._warn(f"Left out “{email.address}”: not an email address.")
                continue
            address = fit(Email, "address", email.address, "An email address")
            emails.append(EmailInput(address=address, label=email.label))
        phones = [
            PhoneInput(raw=fit(Phone, "raw", p.number, "A phone number"), label=p.label)
            for p in self.phones
        ]
        addresses = [
            AddressInput(
                street=fit(Address, "street", a.street, "A street"),
                unit=fit(Address, "unit", a.unit, "A unit"),
                city=fit(Address, "city", a.city, "A city"),
                state=fit(Address, "state", a.state, "A state"),
                postal_code=fit(Address, "postal_code", a.postal_code, "A postal code"),
                country=fit(Address, "country", a.country, "A country") or "US",
                label=a.label,
                is_mailing=a.is_mailing,
            )
            for a in self.addresses
        ]
        return ContactData(
            fields=fields,
            phones=phones,
            emails=emails,
            addresses=addresses,
            category_ids=category_ids,
        )


# ---- writing -----------------------------------------------------------------------------


def escape(value: str) -> str:
    """A text value as vCard 3.0 writes it: backslash, comma, semicolon and newlines escaped."""
    return _NEWLINES.sub(
        r"\\n", value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    )


def fold(line: str) -> str:
    """A content line cut into lines of at most 75 octets, never inside a UTF-8 character;
    each continuation starts with a space."""
    if len(line.encode("utf-8")) <= FOLD_OCTETS:
        return line
    pieces: list[str] = []
    current: list[str] = []
    size, limit = 0, FOLD_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, FOLD_OCTETS - 1  # the leading space counts
        current.append(char)
        size += octets
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces)


def phone_value(e164: str, raw: str) -> str:
    """A TEL value: the international number (with " ext. 12" when there is one), or the
    number as typed when it was never understood."""
    number, _, extension = e164.partition(";ext=")
    if not number:
        return raw
    return f"{number} ext. {extension}" if extension else number


def card_from_contact(contact: Contact) -> Card:
    """What a phone should get of a person (reads prefetched child rows when there are)."""
    phones = [CardPhone(phone_value(p.e164, p.raw), p.label) for p in contact.phones.all()]
    addresses = [
        CardAddress(
            street=a.street,
            unit=a.unit,
            city=a.city,
            state=a.state,
            postal_code=a.postal_code,
            country=a.country,
            label=a.label,
            is_mailing=a.is_mailing,
        )
        for a in contact.addresses.all()
    ]
    return Card(
        first_name=contact.first_name,
        last_name=contact.last_name,
        company=contact.company,
        title=contact.vendor_type,
        birthday=contact.birthday,
        phones=phones,
        emails=[CardEmail(address=e.address, label=e.label) for e in contact.emails.all()],
        addresses=addresses,
        categories=sorted(
            (link.category.name for link in contact.category_links.all()), key=str.lower
        ),
    )


def card_lines(card: Card) -> list[str]:
    """The content lines of one vCard 3.0, unfolded."""
    name = f"{card.first_name} {card.last_name}".strip()
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"PRODID:{PRODID}",
        f"N:{escape(card.last_name)};{escape(card.first_name)};;;",
        f"FN:{escape(name or card.company or '(no name)')}",
    ]
    if card.company:
        lines.append(f"ORG:{escape(card.company)}")
        if not name:
            lines.append("X-ABShowAs:COMPANY")  # iPhone files a company-only card by its name
    if card.title:
        lines.append(f"TITLE:{escape(card.title)}")
    # Numbers and addresses are not escaped (phones would show the backslashes), but a
    # line break typed into one must not start a property of its own.
    for phone in card.phones:
        number = _NEWLINES.sub(" ", phone.number)
        lines.append(f"TEL;TYPE={PHONE_TYPES.get(phone.label, 'VOICE')}:{number}")
    for email in card.emails:
        mailbox = _NEWLINES.sub("", email.address)
        lines.append(f"EMAIL;TYPE={EMAIL_TYPES.get(email.label, 'INTERNET')}:{mailbox}")
    for address in card.addresses:
        types = [ADDRESS_TYPES[address.label]] if ADDRESS_TYPES.get(address.label) else []
        if address.is_mailing:
            types.append("PREF")
        params = f";TYPE={','.join(types)}" if types else ""
        # The unit rides on a second street line: phones show it there, and not every
        # phone shows the "extended address" component.
        street = f"{address.street}\n{address.unit}" if address.unit else address.street
        parts = ("", "", street, address.city, address.state, address.postal_code, address.country)
        lines.append(f"ADR{params}:" + ";".join(escape(p) for p in parts))
    if card.birthday:
        if card.birthday.year == NO_YEAR:
            lines.append(f"BDAY;X-APPLE-OMIT-YEAR={NO_YEAR}:{card.birthday.isoformat()}")
        else:
            lines.append(f"BDAY:{card.birthday.isoformat()}")
    if card.note:
        lines.append(f"NOTE:{escape(card.note)}")
    if card.categories:
        lines.append("CATEGORIES:" + ",".join(escape(c) for c in card.categories))
    lines.append("END:VCARD")
    return lines


def serialize_cards(cards: Iterable[Card]) -> str:
    return "".join(fold(line) + CRLF for card in cards for line in card_lines(card))


def serialize(contacts: Iterable[Contact]) -> str:
    """People as one .vcf text: vCard 3.0, CRLF line ends, folded at 75 octets."""
    return serialize_cards(card_from_contact(c) for c in contacts)


# ---- reading -----------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (with or without BOM), UTF-16 with a BOM, or
    else Windows-1252, the usual encoding of old Outlook exports. NUL characters go: no
    name or number has them, and Postgres refuses them."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    return text.replace("\x00", "")


def looks_like_vcard(head: bytes) -> bool:
    """Whether the start of a file is a vCard file (a cheap check before storing an upload)."""
    text = decode(head[:65536]).lstrip("\ufeff \t\r\n")
    return text[:11].upper() == "BEGIN:VCARD"


@dataclass
class Property:
    group: str
    name: str  # upper case
    params: dict[str, list[str]]  # upper-case keys
    types: set[str]  # lower case, from TYPE=… and 2.1 bare parameters; "pref" for PREF=1
    value: str  # still escaped; quoted-printable already decoded
    line: int


def _is_qp_soft_break(line: str) -> bool:
    if not line.endswith("="):
        return False
    head, colon, _ = line.partition(":")
    return bool(colon) and "QUOTED-PRINTABLE" in head.upper()


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Unfolded content lines with the number of their first physical line. Undoes both
    folding (a line starting with a space or tab) and vCard 2.1 quoted-printable soft breaks
    (a line ending in "=")."""
    current: str | None = None
    start = 0
    for number, raw in enumerate(_NEWLINES.split(text), start=1):
        if current is not None:
            if _is_qp_soft_break(current) and not raw.upper().startswith("END:VCARD"):
                current = current[:-1] + raw.lstrip(" \t")
                continue
            if raw[:1] in (" ", "\t"):
                current += raw[1:]
                continue
            yield start, current
        current, start = raw, number
    if current is not None:
        yield start, current


def _split_unquoted(text: str, separator: str, maxsplit: int = -1) -> list[str]:
    parts: list[str] = []
    quoted = False
    begin = 0
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted and (maxsplit < 0 or len(parts) < maxsplit):
            parts.append(text[begin:index])
            begin = index + 1
    parts.append(text[begin:])
    return parts


def _parse_property(line: str, number: int) -> Property | None:
    pieces = _split_unquoted(line, ":", maxsplit=1)
    if len(pieces) < 2:
        return None
    head, value = pieces
    head_parts = _split_unquoted(head, ";")
    group, _, name = head_parts[0].strip().rpartition(".")
    if not name:
        return None
    params: dict[str, list[str]] = {}
    for raw_param in head_parts[1:]:
        key, equals, raw_values = raw_param.partition("=")
        key = key.strip().upper()
        if not key:
            continue
        if not equals:  # vCard 2.1: TEL;CELL;PREF, or ;QUOTED-PRINTABLE
            key, raw_values = ("ENCODING" if key in _ENCODINGS else "TYPE"), key
        # TYPE="cell,voice" (4.0) and TYPE=cell,voice (3.0) are the same list.
        values = [v.strip() for v in raw_values.replace('"', "").split(",")]
        params.setdefault(key, []).extend(v for v in values if v)
    types = {t.lower() for t in params.get("TYPE", [])}
    if "PREF" in params:
        types.add("pref")
    encoding = {e.upper() for e in params.get("ENCODING", [])}
    if "QUOTED-PRINTABLE" in encoding:
        charset = (params.get("CHARSET") or ["utf-8"])[0]
        octets = quopri.decodestring(value.encode("utf-8"))
        try:
            value = octets.decode(charset)
        except (LookupError, UnicodeDecodeError):
            value = octets.decode("utf-8", errors="replace")
    return Property(
        group=group.lower(), name=name.upper(), params=params, types=types, value=value, line=number
    )


def unescape(value: str) -> str:
    """A text value with its escapes undone and its line ends made plain newlines."""
    text = _ESCAPED.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)
    return _NEWLINES.sub("\n", text)


def split_escaped(value: str, separators: str) -> list[str]:
    """Components of a structured value (N, ADR, ORG) or a list (CATEGORIES), unescaped."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            current.append(char + next(chars, ""))
        elif char in separators:
            parts.append(unescape("".join(current)))
            current = []
        else:
            current.append(char)
    parts.append(unescape("".join(current)))
    return parts


def parse(text: str) -> list[ParsedCard]:
    """Every card of a .vcf text, in order. A card that cannot become a person is returned
    too, with ``problem`` saying why; text outside BEGIN/END is ignored."""
    cards: list[ParsedCard] = []
    properties: list[Property] | None = None
    unreadable: list[int] = []
    begin_line = 0

    def close(problem: str = "") -> None:
        card = _build(properties or [], position=len(cards) + 1, line=begin_line)
        if problem:
            card.problem = problem
        elif unreadable:
            lines = ", ".join(str(n) for n in unreadable[:5])
            card.warnings.append(f"Ignored unreadable line(s) {lines}.")
        cards.append(card)

    for number, line in _logical_lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        upper = stripped.upper()
        if upper == "BEGIN:VCARD":
            if properties is not None:
                close("The card does not end (no END:VCARD before the next card).")
            properties, unreadable, begin_line = [], [], number
        elif upper == "END:VCARD":
            if properties is not None:
                close()
            properties = None
        elif properties is not None:
            prop = _parse_property(line, number)
            if prop is None:
                unreadable.append(number)
            else:
                properties.append(prop)
    if properties is not None:
        close("The card does not end (the file stops before END:VCARD).")
    return cards


def _first(properties: list[Property], name: str) -> Property | None:
    return next((p for p in properties if p.name == name), None)


def _label(prop: Property, labels: dict[str, str], known: dict[str, str], default: str) -> str:
    """Our label from TYPE values, else from an Apple/Google X-ABLabel of the same group."""
    for type_value, ours in known.items():
        if type_value in prop.types:
            return ours
    custom = labels.get(prop.group, "") if prop.group else ""
    match = _AB_LABEL.match(custom)
    custom = (match.group(1) if match else custom).lower()
    for type_value, ours in known.items():
        if type_value in custom:
            return ours
    return default


_PHONE_LABELS = {"cell": "mobile", "mobile": "mobile", "iphone": "mobile", "home": "home"}
_PHONE_LABELS |= {"work": "work"}
_EMAIL_LABELS = {"home": "personal", "personal": "personal", "work": "work"}
_ADDRESS_LABELS = {"home": "home", "work": "work"}


def _name_from_fn(full: str) -> tuple[str, str]:
    """First and last name from a formatted name: "Smith, Jack" or "Jack Smith"."""
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip(), last.strip()
    first, _, last = full.strip().rpartition(" ")
    return (first.strip(), last.strip()) if first else (last.strip(), "")


def _parse_date(prop: Property) -> date | None:
    value = unescape(prop.value).strip().split("T")[0]
    omit = (prop.params.get("X-APPLE-OMIT-YEAR") or [""])[0]
    if value.startswith("--"):
        digits = value[2:].replace("-", "")
        year, month_day = NO_YEAR, digits
    else:
        digits = value.replace("-", "")
        year_text, month_day = digits[:4], digits[4:]
        if not year_text.isdigit():
            return None
        year = NO_YEAR if year_text == omit else int(year_text)
    if len(month_day) != 4 or not month_day.isdigit():
        return None
    try:
        return date(year, int(month_day[:2]), int(month_day[2:]))
    except ValueError:
        return None


def _build(properties: list[Property], *, position: int, line: int) -> ParsedCard:
    card = ParsedCard(position=position, line=line)
    version = _first(properties, "VERSION")
    card.version = version.value.strip() if version else ""
    labels = {p.group: unescape(p.value) for p in properties if p.name == "X-ABLABEL" and p.group}

    n = _first(properties, "N")
    if n is not None:
        family, given, additional, _prefix, suffix = (split_escaped(n.value, ";") + [""] * 5)[:5]
        card.first_name = " ".join(x.strip() for x in (given, additional) if x.strip())
        card.last_name = " ".join(x.strip() for x in (family, suffix) if x.strip())
    org = _first(properties, "ORG")
    if org is not None:
        card.company = ", ".join(x.strip() for x in split_escaped(org.value, ";") if x.strip())
    fn = _first(properties, "FN")
    full = unescape(fn.value).strip() if fn else ""
    show_as = _first(properties, "X-ABSHOWAS")
    is_company_card = (show_as is not None and show_as.value.strip().upper() == "COMPANY") or (
        bool(card.company) and full == card.company
    )
    if not (card.first_name or card.last_name) and full and not is_company_card:
        card.first_name, card.last_name = _name_from_fn(full)
    title = _first(properties, "TITLE")
    card.title = unescape(title.value).strip() if title else ""

    list_separators = ",;" if card.version.startswith("2") else ","
    for prop in properties:
        if prop.name == "TEL":
            number = unescape(prop.value).strip()
            if number.lower().startswith("tel:"):
                number = number[4:].replace(";ext=", " ext. ")
            if number:
                label = _label(prop, labels, _PHONE_LABELS, "other")
                card.phones.append(CardPhone(number=number, label=label))
        elif prop.name == "EMAIL":
            address = unescape(prop.value).strip()
            if address.lower().startswith("mailto:"):
                address = address[7:]
            if address:
                label = _label(prop, labels, _EMAIL_LABELS, "other")
                card.emails.append(CardEmail(address=address, label=label))
        elif prop.name == "ADR":
            card.addresses.append(_address(prop, labels))
        elif prop.name == "BDAY":
            card.birthday = _parse_date(prop)
            if card.birthday is None:
                card.warnings.append(f"Birthday “{prop.value.strip()}” not understood; left out.")
        elif prop.name == "CATEGORIES":
            for name in split_escaped(prop.value, list_separators):
                name = name.strip()
                if name and name.lower() not in {c.lower() for c in card.categories}:
                    card.categories.append(name)
        elif prop.name == "NOTE":
            note = unescape(prop.value).strip()
            card.note = f"{card.note}\n\n{note}" if card.note and note else card.note or note
    card.addresses = [a for a in card.addresses if a.street or a.city or a.postal_code]
    if card.addresses and not any(a.is_mailing for a in card.addresses):
        card.addresses[0].is_mailing = True  # none marked preferred: the first is for letters

    if not (card.first_name or card.last_name or card.company):
        card.problem = "No name or company on the card."
    return card


def _address(prop: Property, labels: dict[str, str]) -> CardAddress:
    parts = (split_escaped(prop.value, ";") + [""] * 7)[:7]
    po_box, extended, street, city, state, postal_code, country = (p.strip() for p in parts)
    street_lines = [s.strip() for s in street.split("\n") if s.strip()]
    street = street_lines[0] if street_lines else ""
    unit_parts = [extended, *street_lines[1:]]
    if po_box:
        if street:
            unit_parts.append(po_box if po_box.lower().startswith("po") else f"PO Box {po_box}")
        else:
            street = po_box if po_box.lower().startswith("po") else f"PO Box {po_box}"
    return CardAddress(
        street=street,
        unit=", ".join(u for u in unit_parts if u),
        city=city,
        state=state,
        postal_code=postal_code,
        country=country,
        label=_label(prop, labels, _ADDRESS_LABELS, "other"),
        is_mailing="pref" in prop.types,
    )
