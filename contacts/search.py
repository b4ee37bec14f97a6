"""One searchable text per person: names, company, emails, phone digits and streets.

Kept by the services whenever a person or a child row changes; a trigram index
on Postgres makes a fragment search fast at 100,000 people.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from contacts.phones import only_digits

_SPACES = re.compile(r"\s+")
_PHONEISH = re.compile(r"^[\d\s().+\-]+$")


def fold(text: str) -> str:
    """Lower case without accents, single spaces: "José  O'Neil" -> "jose o'neil"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", plain).strip().lower()


def build_search_text(
    *,
    names: Iterable[str],
    emails: Iterable[str],
    phone_digits: Iterable[str],
    streets: Iterable[str],
) -> str:
    parts = [fold(n) for n in names if n]
    parts += [e.lower() for e in emails if e]
    for digits in phone_digits:
        if digits:
            parts.append(digits)
            if len(digits) == 11 and digits.startswith("1"):
                parts.append(digits[1:])  # so a 10-digit US search matches too
    parts += [fold(s) for s in streets if s]
    return " | ".join(parts)


@dataclass(frozen=True)
class SearchTerm:
    text: str
    is_phone: bool


def search_term(query: str) -> SearchTerm | None:
    """What to look for: digits for something phone-like, folded text otherwise."""
    query = (query or "").strip()
    if not query:
        return None
    digits = only_digits(query)
    if _PHONEISH.match(query) and len(digits) >= 3:
        return SearchTerm(text=digits, is_phone=True)
    return SearchTerm(text=fold(query), is_phone=False)
