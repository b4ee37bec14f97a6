"""Mail merge in a sandbox: ``{{ field }}`` and ``{{ field|default:"fallback" }}`` and
nothing else. A template reaches only the merge fields (no template engine, no tags,
no attributes), a missing value falls back, and the preview lists what would be missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.html import escape

from contacts.models import Contact
from crm.models import Account, User
from crm.selectors import account_owner

FIELDS = {
    "first_name": "First name",
    "salutation": "Salutation (e.g. “Jack & Sandy”)",
    "full_name": "Full name",
    "mailing_address": "Mailing address",
    "property_address": "Property address",
    "agent_name": "Your name",
    "agent_signature": "Your signature",
    "agent_phone": "Your phone",
    "agent_photo": "Your photo (link)",
    "unsubscribe_url": "Unsubscribe link",
}
_TOKEN = re.compile(r"\{\{(.*?)\}\}|\{%.*?%\}", re.DOTALL)
HTML_KINDS = ("ecard", "flyer")
OPTIONAL = {"agent_photo"}  # an <img> without a source is dropped from the email
_FIELD = re.compile(r'^\s*([a-z_]+)\s*(?:\|\s*default\s*:\s*"([^"{}]*)"\s*)?$')


@dataclass
class Rendered:
    text: str
    missing: list[str] = field(default_factory=list)  # no value and no fallback
    problems: list[str] = field(default_factory=list)  # not a merge field at all

    @property
    def ok(self) -> bool:
        return not self.problems


def render(template: str, values: dict[str, str], *, html: bool = False) -> Rendered:
    """Fill the fields; a field without a value takes its fallback, or is left blank and
    reported (so "Dear {{ first_name }}," can be caught before it goes out). In an HTML
    template the values are escaped (line breaks kept)."""
    result = Rendered(text="")
    seen_missing: set[str] = set()

    def fill(match: re.Match[str]) -> str:
        inner = match.group(1)
        parsed = _FIELD.match(inner) if inner is not None else None
        if parsed is None or parsed.group(1) not in FIELDS:
            result.problems.append(f"“{match.group(0)[:60]}” is not a merge field.")
            return ""
        name, fallback = parsed.group(1), parsed.group(2)
        value = (values.get(name) or "").strip() or (fallback or "")
        if value:
            return escape(value).replace("\n", "<br>") if html else value
        if fallback is not None or name in OPTIONAL:
            return ""  # an empty fallback on purpose; an empty photo is simply left out
        if name not in seen_missing:
            seen_missing.add(name)
            result.missing.append(name)
        return ""

    result.text = _TOKEN.sub(fill, template)
    return result


def missing_message(names: list[str]) -> str:
    labels = ", ".join(f"“{FIELDS.get(name, name)}”" for name in names)
    hint = " (your profile)" if any(name.startswith("agent_") for name in names) else ""
    return f"No value for {labels}{hint} and no fallback in the text."


def agent_of(account: Account) -> User | None:
    return account_owner(account)  # type: ignore[no-any-return]


def fields_in(*templates: str) -> set[str]:
    """The merge fields the templates use."""
    found: set[str] = set()
    for template in templates:
        for match in _TOKEN.finditer(template):
            parsed = _FIELD.match(match.group(1) or "")
            if parsed is not None:
                found.add(parsed.group(1))
    return found


def values_for(
    contact: Contact, *, agent: User | None, unsubscribe_url: str = "",
    needed: set[str] | None = None,
) -> dict[str, str]:  # fmt: skip
    """The merge fields of one person (their addresses and lead details at hand); with
    ``needed``, the address and the lead are read only when the text uses them."""
    wants = (lambda name: True) if needed is None else needed.__contains__
    mailing = (
        next((a for a in contact.addresses.all() if a.is_mailing), None)
        if wants("mailing_address") else None
    )  # fmt: skip
    lead = getattr(contact, "lead", None) if wants("property_address") else None
    signature = ""
    if agent is not None:
        lines = [agent.display_name, agent.mobile_phone, agent.email]
        signature = "\n".join(line for line in lines if line)
    return {
        "first_name": contact.first_name,
        "salutation": contact.salutation or contact.full_name,
        "full_name": contact.full_name,
        "mailing_address": "\n".join(p for p in (mailing.street_line, mailing.city_line) if p)
        if mailing
        else "",
        "property_address": lead.property_address if lead else "",
        "agent_name": agent.display_name if agent else "",
        "agent_signature": signature,
        "agent_phone": agent.mobile_phone if agent else "",
        "agent_photo": "",
        "unsubscribe_url": unsubscribe_url
        or settings.SITE_URL.rstrip("/") + "/u/(a link made for each email)/",
    }
