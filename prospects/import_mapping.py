"""Columns to fields: the field keys an import can fill, a mapping suggested from the
header names, and one file row turned into the person it will become.

A value that cannot be used (an email that is not one, a date nobody can read, text too
long for its column) never stops the row: it is listed as a warning and kept word for
word in an import note on the person, so nothing the file held is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from prospects.models import LeadType, Stage

# Field key -> label, in the order the mapping form shows them.
FIELDS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name (split into first and last)",
    "salutation": "Mailing salutation",
    "company": "Company",
    "email": "Email",
    "email2": "Email 2",
    "mobile": "Mobile phone",
    "phone": "Phone",
    "phone2": "Phone 2",
    "phone3": "Phone 3",
    "work_phone": "Work phone",
    "street": "Mailing street",
    "unit": "Mailing unit",
    "city": "Mailing city",
    "state": "Mailing state",
    "postal_code": "Mailing ZIP / postal code",
    "country": "Mailing country",
    "birthday": "Birthday",
    "anniversary": "Home-purchase anniversary",
    "categories": "Categories (separated by , or ;)",
    "notes": "Notes",
    "lead_source": "Lead source",
    "lead_type": "Lead type",
    "stage": "Stage",
    "inquiry": "Inquiry",
    "property_street": "Property street",
    "property_unit": "Property unit",
    "property_city": "Property city",
    "property_state": "Property state",
    "property_postal_code": "Property ZIP",
}
PHONE_FIELDS = {"mobile": "mobile", "phone": "home", "phone2": "other", "phone3": "other"}
PHONE_FIELDS["work_phone"] = "work"
LEAD_FIELDS = ("lead_type", "stage", "inquiry", *tuple(k for k in FIELDS if k[:9] == "property_"))

# Column limits of the tables the fields land in (contacts and prospects models).
LIMITS = {
    "first_name": 80, "last_name": 80, "salutation": 160, "company": 120,
    "street": 200, "unit": 40, "city": 100, "state": 60, "postal_code": 20, "country": 60,
    "property_street": 200, "property_unit": 40, "property_city": 100,
    "property_state": 60, "property_postal_code": 20, "lead_source": 80, "phone": 40,
}  # fmt: skip


# ---- suggesting a mapping from the header -----------------------------------------------

_PROPERTY_WORDS = {"property", "listing", "subject", "site", "situs", "prop"}
_MAILING_WORDS = {"mailing", "mail", "owner", "home", "contact", "primary"}
_ADDRESS_PARTS: list[tuple[str, set[str]]] = [
    ("unit", {"unit", "apt", "apartment", "suite", "address2", "line2", "street2"}),
    ("postal_code", {"zip", "zipcode", "postal", "postcode", "postalcode", "zip4"}),
    ("city", {"city", "town", "locality"}),
    ("state", {"state", "province", "region", "st"}),
    ("country", {"country"}),
    ("street", {"address", "street", "address1", "line1", "street1", "addr"}),
]
_EXACT: dict[str, str] = {}
for _key, _names in {
    "first_name": "first name|first|fname|given name|firstname|first names|owner first name",
    "last_name": "last name|last|lname|surname|family name|lastname|owner last name",
    "full_name": "full name|name|owner name|owner|contact name|contact|display name|"
    "lead name|client name|customer name|owner 1 name|owner1 name|person",
    "salutation": "salutation|mailing salutation|greeting|dear|envelope name|letter salutation",
    "company": "company|company name|organization|organisation|business|employer|brokerage",
    "email": "email|e mail|email address|email 1|primary email|e mail address|"
    "personal email|email1|emails",
    "email2": "email 2|secondary email|other email|alternate email|email2|work email",
    "mobile": "mobile|cell|cell phone|mobile phone|cellphone|cell number|mobile number",
    "phone": "phone|phone 1|telephone|home phone|phone number|primary phone|phone1|tel|"
    "main phone|phones",
    "phone2": "phone 2|phone2|secondary phone|other phone|alternate phone|alt phone",
    "phone3": "phone 3|phone3",
    "work_phone": "work phone|business phone|office phone|work|office",
    "birthday": "birthday|birth date|birthdate|date of birth|dob|bday",
    "anniversary": "anniversary|home anniversary|closing date|purchase date|"
    "home purchase anniversary|close date",
    "categories": "categories|category|groups|group|tags|tag|labels",
    "notes": "notes|note|comments|comment|description|background",
    "lead_source": "lead source|source|lead source name|how heard|referral source",
    "lead_type": "lead type|type|client type|contact type|buyer seller",
    "stage": "stage|status|lead status|lead stage|pipeline stage",
    "inquiry": "inquiry|message|enquiry|question|request|lead message",
}.items():
    for _name in _names.split("|"):
        _EXACT[_name] = _key


def normalise_header(header: str) -> str:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", header)  # FirstName -> First Name
    return re.sub(r"[^a-z0-9]+", " ", spaced.lower()).strip()


def _address_field(words: list[str]) -> str | None:
    joined = set(words) | {"".join(words[i : i + 2]) for i in range(len(words) - 1)}
    for part, names in _ADDRESS_PARTS:
        if joined & names:
            if part == "state" and "st" in joined and "street" not in joined and len(words) > 2:
                continue
            prefix = "property_" if joined & _PROPERTY_WORDS else ""
            if prefix and part == "country":
                return None
            return prefix + part
    return None


def suggest_field(header: str) -> str | None:
    """The field a column most likely holds, from its name alone."""
    name = normalise_header(header)
    if not name:
        return None
    if name in _EXACT:
        return _EXACT[name]
    words = name.split()
    stripped = " ".join(w for w in words if w not in _MAILING_WORDS)
    if stripped in _EXACT and not set(words) & _PROPERTY_WORDS:
        return _EXACT[stripped]
    numbered = re.fullmatch(r"(phone|email|e mail|telephone)\s*(\d)", name)
    if numbered:
        kind, n = numbered.groups()
        if kind.startswith("e"):
            return "email" if n == "1" else "email2" if n == "2" else None
        return {"1": "phone", "2": "phone2", "3": "phone3"}.get(n)
    if "email" in words or "e mail" in name:
        return "email"
    if set(words) & {"mobile", "cell"}:
        return "mobile"
    if "phone" in words or "telephone" in words:
        return "work_phone" if set(words) & {"work", "business", "office"} else "phone"
    return _address_field(words)


def suggest_mapping(headers: list[str]) -> dict[str, str]:
    """Header -> field key, each field used once (the first column naming it wins)."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        key = suggest_field(header)
        if key and key not in used:
            mapping[header] = key
            used.add(key)
    if "full_name" in used and {"first_name", "last_name"} <= used:
        mapping = {h: k for h, k in mapping.items() if k != "full_name"}
    return mapping


def clean_mapping(mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    """Only known fields and columns the file has; each field taken by one column."""
    out: dict[str, str] = {}
    used: set[str] = set()
    lowered = {h.lower(): h for h in headers}
    for header, key in mapping.items():
        column = lowered.get(str(header).lower())
        if column is None or key not in FIELDS or key in used:
            continue
        out[column] = key
        used.add(key)
    return out


# ---- one row ---------------------------------------------------------------------------------


@dataclass
class ImportPerson:
    """What one row becomes; ``problem`` set means the row is not imported."""

    row: int
    fields: dict[str, object] = field(default_factory=dict)  # Contact fields
    phones: list[tuple[str, str]] = field(default_factory=list)  # (as typed, label)
    emails: list[str] = field(default_factory=list)
    address: dict[str, str] = field(default_factory=dict)
    lead: dict[str, str] = field(default_factory=dict)  # Lead fields
    lead_source: str = ""
    categories: list[str] = field(default_factory=list)
    notes: str = ""
    leftovers: list[str] = field(default_factory=list)  # values kept only in the note
    warnings: list[str] = field(default_factory=list)
    problem: str = ""
    cells: list[str] = field(default_factory=list)  # the row as the file had it

    @property
    def display_name(self) -> str:
        name = f"{self.fields.get('first_name', '')} {self.fields.get('last_name', '')}".strip()
        return name or str(self.fields.get("company", "")) or (self.emails or [""])[0]

    @property
    def has_lead_details(self) -> bool:
        return any(self.lead.values())


_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "md", "phd", "esq", "dds", "cpa"}
_TITLES = {"mr", "mrs", "ms", "miss", "dr", "mx", "prof"}


def split_full_name(full: str) -> tuple[str, str]:
    """ "Smith, John A." and "Dr. John A. Smith Jr." both give ("John A.", "Smith")."""
    full = " ".join(full.split())
    if not full:
        return "", ""
    if "," in full:
        last, _, rest = full.partition(",")
        rest_words = [w for w in rest.split() if w.strip(".").lower() not in _SUFFIXES]
        if rest_words:
            return " ".join(rest_words), last.strip()
        full = last
    words = full.split()
    while len(words) > 1 and words[0].strip(".").lower() in _TITLES:
        words.pop(0)
    while len(words) > 1 and words[-1].strip(".,").lower() in _SUFFIXES:
        words.pop()
    if len(words) == 1:
        return words[0], ""
    return " ".join(words[:-1]), words[-1]


_DATE_FORMATS = (
    "%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%d.%m.%Y", "%Y/%m/%d",
    "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y",
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p",
)  # fmt: skip
_NO_YEAR_FORMATS = ("%m/%d", "%B %d", "%b %d", "%d %B", "%d %b", "--%m-%d")
NO_YEAR = 1604  # the year Apple and vCard tools use for "no year"


def parse_date(text: str) -> date | None:
    text = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            value = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if fmt == "%m/%d/%y" and value.year > date.today().year:
            value = value.replace(year=value.year - 100)  # 4/5/62 is 1962
        return value
    for fmt in _NO_YEAR_FORMATS:
        try:
            value = datetime.strptime(f"{NO_YEAR} {text}", f"%Y {fmt}").date()
        except ValueError:
            continue
        return value
    return None


_LEAD_TYPES = {
    "buyer": LeadType.BUYER, "buy": LeadType.BUYER, "b": LeadType.BUYER,
    "home buyer": LeadType.BUYER, "purchaser": LeadType.BUYER,
    "seller": LeadType.SELLER, "sell": LeadType.SELLER, "s": LeadType.SELLER,
    "listing": LeadType.SELLER, "home seller": LeadType.SELLER, "fsbo": LeadType.SELLER,
    "renter": LeadType.RENTER, "rent": LeadType.RENTER, "tenant": LeadType.RENTER,
    "rental": LeadType.RENTER, "r": LeadType.RENTER,
    "investor": LeadType.INVESTOR, "invest": LeadType.INVESTOR, "i": LeadType.INVESTOR,
}  # fmt: skip
_STAGES = {label.lower(): value for value, label in Stage.choices}
_STAGES.update({value: value for value in Stage.values})
_STAGES.update(
    {"lead": Stage.NEW, "active": Stage.ACTIVE, "client": Stage.ACTIVE, "pending": "under_contract",
     "nurture": Stage.CONTACTED, "attempted contact": Stage.ATTEMPTED, "lost": Stage.DEAD,
     "trash": Stage.DEAD, "sold": Stage.CLOSED, "past client": Stage.CLOSED,
     "appointment set": Stage.APPOINTMENT, "met": Stage.APPOINTMENT}
)  # fmt: skip


def _fit(person: ImportPerson, key: str, value: str) -> str:
    limit = LIMITS.get(key)
    if limit and len(value) > limit:
        person.warnings.append(f"{FIELDS.get(key, key)} cut to {limit} characters.")
        person.leftovers.append(f"{FIELDS.get(key, key)}: {value}")
        return value[:limit]
    return value


def _split_list(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;,|\n]", text) if p.strip()]


_ONE_LINE = re.compile(
    r"^(?P<street>[^,]+?),\s*(?P<city>[^,]+?),?\s+(?P<state>[A-Za-z]{2})\.?"
    r"(?:\s+(?P<zip>\d{5}(?:-\d{4})?))?\s*$"
)


def split_address(line: str) -> dict[str, str] | None:
    """ "123 Main St, Loveland CO 80537" (or "…, Loveland, CO 80537") as its parts; None
    when the line is not one of those shapes."""
    match = _ONE_LINE.match(" ".join(line.split()))
    if match is None:
        return None
    return {
        "street": match.group("street").strip(),
        "city": match.group("city").strip(),
        "state": match.group("state").upper(),
        "postal_code": match.group("zip") or "",
    }


def _split_one_column(values: dict[str, str], prefix: str) -> dict[str, str]:
    """A whole address in the street column, with no city, state or ZIP columns: split."""
    street = values.get(f"{prefix}street", "").strip()
    if not street or any(
        values.get(f"{prefix}{k}", "").strip() for k in ("city", "state", "postal_code")
    ):
        return values
    parts = split_address(street)
    if parts is None:
        return values
    return {**values, **{f"{prefix}{k}": v for k, v in parts.items()}}


def build_person(number: int, values: dict[str, str]) -> ImportPerson:
    """One row (field key -> cell text) as the person to store."""
    person = ImportPerson(row=number)
    values = _split_one_column(_split_one_column(values, ""), "property_")
    get = lambda key: values.get(key, "").strip()  # noqa: E731
    first, last = get("first_name"), get("last_name")
    if get("full_name") and not (first or last):
        first, last = split_full_name(get("full_name"))
    for key, value in (("first_name", first), ("last_name", last)):
        person.fields[key] = _fit(person, key, value)
    for key in ("salutation", "company"):
        person.fields[key] = _fit(person, key, get(key))
    for key, target in (("birthday", "birthday"), ("anniversary", "home_anniversary")):
        if get(key):
            parsed = parse_date(get(key))
            if parsed is None:
                person.warnings.append(f"{FIELDS[key]} “{get(key)}” is not a date we can read.")
                person.leftovers.append(f"{FIELDS[key]}: {get(key)}")
            person.fields[target] = parsed
    for key in ("email", "email2"):
        for address in _split_list(get(key)) if "@" in get(key) else [get(key)] if get(key) else []:
            address = address.lower().removeprefix("mailto:")
            try:
                validate_email(address)
            except ValidationError:
                person.warnings.append(f"Email “{address}” left out: not an email address.")
                person.leftovers.append(f"Email: {address}")
                continue
            if address not in person.emails:
                person.emails.append(address)
    for key, label in PHONE_FIELDS.items():
        raw = get(key)
        if raw and raw not in (p for p, _ in person.phones):
            person.phones.append((_fit(person, "phone", raw), label))
    person.phones.sort(key=lambda p: p[1] != "mobile")  # the mobile first: it can take texts
    person.address = {k: _fit(person, k, get(k)) for k in ("street", "unit", "city")}
    person.address.update({k: _fit(person, k, get(k)) for k in ("state", "postal_code")})
    person.address["country"] = _fit(person, "country", get("country"))
    for key in LEAD_FIELDS:
        if key.startswith("property_") or key == "inquiry":
            person.lead[key] = _fit(person, key, get(key))
    if get("lead_type"):
        lead_type = _LEAD_TYPES.get(get("lead_type").lower())
        if lead_type is None:
            person.warnings.append(f"Lead type “{get('lead_type')}” is not one we know.")
            person.leftovers.append(f"Lead type: {get('lead_type')}")
        person.lead["lead_type"] = lead_type or ""
    if get("stage"):
        stage = _STAGES.get(get("stage").lower())
        if stage is None:
            person.warnings.append(f"Stage “{get('stage')}” is not one we know.")
            person.leftovers.append(f"Stage: {get('stage')}")
        person.lead["stage"] = stage or ""
    person.lead_source = _fit(person, "lead_source", get("lead_source"))
    person.categories = _split_list(get("categories"))
    person.notes = get("notes")
    if not (first or last or person.fields["company"]):
        if person.emails or person.phones or any(person.address.values()):
            person.problem = "No name or company: give at least one of them."
        else:
            person.problem = "empty"  # a blank row: skipped without a report line
    return person
