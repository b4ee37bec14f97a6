"""A realistic noisy set of people for testing and benchmarking duplicate detection.

``generate`` makes distinct people and, for a share of them, one or two duplicates with
the noise real imports bring: typos, nicknames, first and last swapped, phone numbers in
another format or without the country code, moved addresses (same phone or email, new
street), e-mail case changes and missing fields. Every duplicate still shares at least
one thing an agent would recognise (a phone, an email or the street) with the original.
``load`` writes them into an account and returns the truth: which contact ids are one
person. ``quality`` scores clusters against that truth, pair by pair.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Any

from django.db import transaction

from contacts.demo import FIRST_NAMES, LAST_NAMES
from contacts.demo import STREETS as DEMO_STREETS
from contacts.search import build_search_text
from crm.models import Account

_PREFIXES = [
    "Al",
    "Bar",
    "Bel",
    "Bran",
    "Cal",
    "Car",
    "Dal",
    "Dun",
    "El",
    "Fair",
    "Fen",
    "Gar",
    "Gil",
    "Hal",
    "Har",
    "Kel",
    "Ken",
    "Lan",
    "Mar",
    "Mer",
    "Nor",
    "Pen",
    "Ral",
    "Ros",
    "Sal",
    "Stan",
    "Tal",
    "Thorn",
    "Wal",
    "Win",
]
_MIDDLES = ["", "a", "e", "i", "o", "en", "er", "ing", "is", "an"]
_SUFFIXES = [
    "bridge",
    "brook",
    "by",
    "croft",
    "dale",
    "den",
    "field",
    "ford",
    "gate",
    "ham",
    "hill",
    "holt",
    "land",
    "ley",
    "low",
    "man",
    "more",
    "ridge",
    "son",
    "stead",
    "ton",
    "wick",
    "well",
    "wood",
    "worth",
    "ster",
    "ner",
    "cott",
    "ard",
    "lin",
]
SURNAMES = sorted(
    {*LAST_NAMES, *(p + m + s for p in _PREFIXES for m in _MIDDLES for s in _SUFFIXES)}
)
GIVEN_NAMES = sorted(
    {*FIRST_NAMES} | {"Katie", "Liz", "Beth", "Bobby", "Will", "Tony", "Peggy", "Hank", "Cindy"}
)
NICKNAMES: dict[str, list[str]] = {
    "Robert": ["Bob", "Rob", "Bobby"],
    "William": ["Bill", "Will", "Liam"],
    "Elizabeth": ["Liz", "Beth", "Betty"],
    "James": ["Jim", "Jimmy"],
    "Michael": ["Mike"],
    "Catherine": ["Kate", "Katie", "Kathy"],
    "Katherine": ["Kate", "Katie", "Kathy"],
    "Thomas": ["Tom"],
    "Richard": ["Dick", "Rich", "Rick"],
    "Susan": ["Sue"],
    "Jennifer": ["Jenny", "Jen"],
    "Christopher": ["Chris"],
    "David": ["Dave"],
    "Joseph": ["Joe"],
    "Anthony": ["Tony"],
    "Margaret": ["Peggy", "Maggie"],
    "Andrew": ["Andy"],
    "Daniel": ["Dan"],
    "Matthew": ["Matt"],
    "Steven": ["Steve"],
    "Stephen": ["Steve"],
    "Nicholas": ["Nick"],
    "Samuel": ["Sam"],
    "Samantha": ["Sam"],
    "Alexander": ["Alex"],
    "Benjamin": ["Ben"],
    "Edward": ["Ed", "Eddie"],
    "Gregory": ["Greg"],
    "Patrick": ["Pat"],
    "Patricia": ["Pat", "Patty"],
    "Timothy": ["Tim"],
    "John": ["Jon", "Jack", "Johnny"],
    "Kenneth": ["Ken"],
    "Lawrence": ["Larry"],
    "Ronald": ["Ron"],
    "Donald": ["Don"],
    "Charles": ["Chuck", "Charlie"],
    "Henry": ["Hank"],
    "Gerald": ["Jerry"],
    "Victoria": ["Vicky"],
    "Cynthia": ["Cindy"],
    "Deborah": ["Debbie"],
    "Sandra": ["Sandy"],
    "Abigail": ["Abby"],
}
# The demo's streets and a few more, so moved addresses have somewhere new to go.
STREETS = [*DEMO_STREETS, "Shields", "Taft", "Timberline", "Harmony", "Vine", "Lemay", "Overland"]
STREET_KINDS = [
    ("St", "Street"),
    ("Ave", "Avenue"),
    ("Dr", "Drive"),
    ("Ct", "Court"),
    ("Ln", "Lane"),
]
CITIES = [
    ("Fort Collins", "80521"),
    ("Fort Collins", "80525"),
    ("Fort Collins", "80526"),
    ("Loveland", "80537"),
    ("Loveland", "80538"),
    ("Greeley", "80631"),
    ("Greeley", "80634"),
    ("Windsor", "80550"),
    ("Wellington", "80549"),
    ("Timnath", "80547"),
    ("Berthoud", "80513"),
    ("Johnstown", "80534"),
]
AREA_CODES = ["970", "303", "720", "719"]
PHONE_FORMATS = [
    "({a}) {b}-{c}",
    "{a}-{b}-{c}",
    "{a}.{b}.{c}",
    "+1 {a} {b} {c}",
    "{a}{b}{c}",
    "1-{a}-{b}-{c}",
]
DOMAINS = ["example.com", "example.net", "example.org", "mail.example.com"]


@dataclass
class Street:
    number: int
    name: str
    kind: int
    city: int

    def line(self, long_kind: bool = False) -> str:
        kind = STREET_KINDS[self.kind][1 if long_kind else 0]
        return f"{self.number} {self.name} {kind}"


@dataclass
class Record:
    """One person row to write: what an import or a kiosk would have stored."""

    entity: int
    first: str
    last: str
    phone: str = ""  # ten digits
    phone_raw: str = ""
    phone_without_country: bool = False  # stored as typed, not understood as E.164
    email: str = ""
    street: Street | None = None
    long_kind: bool = False
    database: str = "contacts"
    extra: dict[str, Any] = field(default_factory=dict)


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)  # people rarely get the first letter wrong
    kind = rng.choice(("swap", "drop", "double", "replace"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiourstnl") + word[i + 1 :]


def _phone_raw(rng: random.Random, ten: str) -> str:
    return rng.choice(PHONE_FORMATS).format(a=ten[:3], b=ten[3:6], c=ten[6:])


def _new_street(rng: random.Random) -> Street:
    return Street(
        number=rng.randint(100, 9999),
        name=rng.choice(STREETS),
        kind=rng.randrange(len(STREET_KINDS)),
        city=rng.randrange(len(CITIES)),
    )


def generate(count: int, *, dup_share: float = 0.2, seed: int = 0) -> list[Record]:
    """About ``count`` rows: distinct people, and for ``dup_share`` of them duplicates."""
    rng = random.Random(seed)
    people = max(1, round(count / (1 + dup_share * 1.2)))
    phone_numbers = rng.sample(range(2_000_000, 9_999_999), people + count)
    spare_phones = iter(phone_numbers[people:])
    records: list[Record] = []
    for entity in range(people):
        first, last = rng.choice(GIVEN_NAMES), rng.choice(SURNAMES)
        original = Record(entity=entity, first=first, last=last)
        if rng.random() < 0.9:
            original.phone = rng.choice(AREA_CODES) + str(phone_numbers[entity])
            original.phone_raw = _phone_raw(rng, original.phone)
        if rng.random() < 0.8:
            domain = rng.choice(DOMAINS)
            original.email = f"{first}.{last}{entity}@{domain}".lower()
        if rng.random() < 0.75 or not (original.phone or original.email):
            original.street = _new_street(rng)
        original.database = "prospects" if rng.random() < 0.4 else "contacts"
        records.append(original)
        if len(records) >= count:
            break
        if rng.random() < dup_share:
            for _ in range(2 if rng.random() < 0.2 else 1):
                records.append(_duplicate(rng, original, spare_phones))
        if len(records) >= count:
            break
    return records[:count]


def _duplicate(rng: random.Random, original: Record, spare_phones: Iterable[int]) -> Record:
    dup = replace(original, extra={})
    noise = rng.choice(("typo_first", "typo_last", "nickname", "swap", "none", "nickname"))
    if noise == "nickname" and original.first in NICKNAMES:
        dup.first = rng.choice(NICKNAMES[original.first])
    elif noise == "swap":
        dup.first, dup.last = original.last, original.first
    elif noise == "typo_first":
        dup.first = _typo(rng, original.first)
    elif noise in ("typo_last", "nickname"):
        dup.last = _typo(rng, original.last)
    dup.extra["noise"] = noise
    if dup.phone:
        dup.phone_raw = _phone_raw(rng, dup.phone)  # another format, the same number
        dup.phone_without_country = rng.random() < 0.1
    keeps_street = True
    if dup.street is not None and rng.random() < 0.25:
        dup.street = _new_street(rng)  # moved: same phone or email, a new street
        keeps_street = False
    elif dup.street is not None and rng.random() < 0.2:
        dup.street = None
        keeps_street = False
    elif dup.street is not None:
        dup.long_kind = rng.random() < 0.5  # "Elm St" typed as "Elm Street"
    if dup.email and rng.random() < 0.2:
        local, _, domain = dup.email.partition("@")
        dup.email = f"{local.title()}@{domain.upper()}"
    # Missing fields, but always something in common an agent would recognise.
    drop = rng.random()
    if drop < 0.15 and dup.email and (dup.phone or keeps_street):
        dup.email = ""
    elif drop < 0.3 and dup.phone and (dup.email or keeps_street):
        dup.phone, dup.phone_raw = "", ""
    elif drop < 0.35 and dup.phone and dup.email:
        # a new mobile: the email is what they share
        dup.phone = rng.choice(AREA_CODES) + str(next(iter(spare_phones)))
        dup.phone_raw = _phone_raw(rng, dup.phone)
    dup.database = "prospects" if rng.random() < 0.6 else "contacts"
    return dup


def load(*, account: Account, records: Sequence[Record], batch: int = 5000) -> list[list[int]]:
    """Write the records as people of ``account``; the truth: contact ids that are one person.

    Call inside the account's tenant context."""
    from contacts.models import Address, Contact, Email, Phone

    by_entity: dict[int, list[int]] = {}
    for start in range(0, len(records), batch):
        chunk = records[start : start + batch]
        contacts = [
            Contact(
                account=account,
                first_name=r.first,
                last_name=r.last,
                database=r.database,
                search_text=build_search_text(
                    names=[r.first, r.last],
                    emails=[r.email] if r.email else [],
                    phone_digits=["1" + r.phone] if r.phone else [],
                    streets=[r.street.line(r.long_kind)] if r.street else [],
                ),
            )
            for r in chunk
        ]
        with transaction.atomic():
            created = Contact.objects.bulk_create(contacts, batch_size=1000)
            phones, emails, addresses = [], [], []
            for contact, r in zip(created, chunk, strict=True):
                by_entity.setdefault(r.entity, []).append(contact.pk)
                if r.phone:
                    e164 = "" if r.phone_without_country else "+1" + r.phone
                    digits = r.phone if r.phone_without_country else "1" + r.phone
                    phones.append(
                        Phone(
                            account=account,
                            contact=contact,
                            raw=r.phone_raw,
                            e164=e164,
                            digits=digits,
                        )
                    )
                if r.email:
                    emails.append(Email(account=account, contact=contact, address=r.email))
                if r.street:
                    city, postal_code = CITIES[r.street.city]
                    addresses.append(
                        Address(
                            account=account,
                            contact=contact,
                            street=r.street.line(r.long_kind),
                            city=city,
                            state="CO",
                            postal_code=postal_code,
                        )
                    )
            Phone.objects.bulk_create(phones, batch_size=2000)
            Email.objects.bulk_create(emails, batch_size=2000)
            Address.objects.bulk_create(addresses, batch_size=2000)
    return [sorted(ids) for ids in by_entity.values() if len(ids) > 1]


def _pairs(groups: Iterable[Iterable[int]]) -> set[tuple[int, int]]:
    return {pair for group in groups for pair in combinations(sorted(group), 2)}


def quality(
    clusters: Iterable[Mapping[str, Any]], truth: Iterable[Iterable[int]]
) -> tuple[float, float]:
    """Pairwise precision and recall of the clusters against the true groups."""
    found = _pairs(c["ids"] for c in clusters)
    true = _pairs(truth)
    hit = len(found & true)
    precision = hit / len(found) if found else 1.0
    recall = hit / len(true) if true else 1.0
    return precision, recall
