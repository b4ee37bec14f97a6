"""Likely duplicates across the account and both databases.

People are read in a handful of queries (names, phone digits, emails, streets), grouped
into blocks on normalised keys so that only people sharing a key are ever compared, and
each candidate pair is scored with rapidfuzz. Pairs above the threshold are joined into
clusters with union-find; pairs someone dismissed are never proposed again.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations
from typing import TypedDict

from django.db import transaction
from rapidfuzz.distance import Levenshtein
from rapidfuzz.fuzz import ratio

from contacts.models import Address, Contact, Email, Phone
from contacts.phones import only_digits
from contacts.search import fold
from crm.models import Account, Job, User
from prospects.models import DuplicateDismissal

THRESHOLD = 0.75
# A phone, email or street shared by more people than this is an office line, a
# family address or a placeholder: no evidence that any two of them are one person.
MAX_BLOCK = 100
JOB_KIND = "prospects.duplicate_scan"

NICKNAME_GROUPS: list[tuple[str, ...]] = [
    ("robert", "bob", "rob", "bobby", "robbie", "bert"),
    ("william", "bill", "will", "billy", "willie", "liam"),
    ("elizabeth", "liz", "beth", "betty", "lizzie", "eliza", "libby"),
    ("james", "jim", "jimmy", "jamie"),
    ("michael", "mike", "mikey", "mick"),
    ("catherine", "kate", "katie", "kathy", "cathy", "katherine", "kathryn", "kat"),
    ("thomas", "tom", "tommy"),
    ("richard", "dick", "rich", "rick", "ricky"),
    ("susan", "sue", "susie", "suzy"),
    ("jennifer", "jenny", "jen", "jenn"),
    ("christopher", "chris", "kit"),
    ("christine", "chris", "chrissy", "christina", "tina"),
    ("david", "dave", "davey"),
    ("joseph", "joe", "joey"),
    ("anthony", "tony"),
    ("margaret", "peggy", "maggie", "meg", "marge"),
    ("andrew", "andy", "drew"),
    ("daniel", "dan", "danny"),
    ("matthew", "matt"),
    ("steven", "steve", "stephen", "stevie"),
    ("nicholas", "nick", "nicky"),
    ("samuel", "sam", "sammy"),
    ("samantha", "sam", "sammy"),
    ("alexander", "alex", "al", "xander"),
    ("alexandra", "alex", "lexi", "sandra"),
    ("benjamin", "ben", "benny"),
    ("edward", "ed", "eddie", "ted", "ned"),
    ("gregory", "greg"),
    ("patrick", "pat", "paddy"),
    ("patricia", "pat", "patty", "trish", "tricia"),
    ("timothy", "tim", "timmy"),
    ("john", "jon", "jack", "johnny", "jonathan", "jonny"),
    ("kenneth", "ken", "kenny"),
    ("lawrence", "larry"),
    ("ronald", "ron", "ronnie"),
    ("donald", "don", "donnie"),
    ("charles", "chuck", "charlie", "chas"),
    ("henry", "hank", "harry"),
    ("gerald", "jerry", "jerome", "gerry"),
    ("terrence", "terry", "terence"),
    ("teresa", "terry", "theresa", "tess"),
    ("victoria", "vicky", "vicki", "tori"),
    ("cynthia", "cindy"),
    ("deborah", "debbie", "deb", "debra"),
    ("sandra", "sandy"),
    ("abigail", "abby", "gail"),
    ("rebecca", "becky", "becca"),
    ("pamela", "pam"),
    ("kimberly", "kim"),
    ("jessica", "jess", "jessie"),
    ("joshua", "josh"),
    ("jeffrey", "jeff"),
    ("raymond", "ray"),
    ("douglas", "doug"),
    ("zachary", "zach", "zack"),
    ("nathan", "nate", "nathaniel"),
    ("frederick", "fred", "freddie"),
    ("leonard", "leo", "len", "lenny"),
    ("walter", "walt"),
    ("eugene", "gene"),
    ("barbara", "barb", "barbie"),
    ("dorothy", "dot", "dottie"),
    ("judith", "judy"),
    ("carolyn", "carol", "carrie"),
    ("melissa", "missy", "mel"),
    ("stephanie", "steph"),
    ("kathleen", "kathy", "kate", "katie"),
    ("frances", "fran", "frannie"),
    ("francis", "frank", "fran"),
    ("philip", "phil"),
    ("bradley", "brad"),
    ("russell", "russ"),
    ("vincent", "vince", "vinny"),
    ("gabriel", "gabe"),
]


def _nickname_canon() -> dict[str, str]:
    """Each name to the first full name of its first group, so Bob and Robert meet.

    A name in several groups (Chris, Pat, Sam) keeps its first group: the nickname key
    then joins it to one of them, and the fuzzy score still sees the rest."""
    canon: dict[str, str] = {}
    for group in NICKNAME_GROUPS:
        for name in group:
            canon.setdefault(name, canon.get(group[0], group[0]))
    return canon


NICKNAMES = _nickname_canon()
_NICKNAME_SETS: dict[str, set[str]] = defaultdict(set)
for _group in NICKNAME_GROUPS:
    for _name in _group:
        _NICKNAME_SETS[_name].update(_group)

_LETTERS = re.compile(r"[^a-z ]+")
_STREET = re.compile(r"^\s*(\d+[a-z]?)\s+(?:[nsew]\.?\s+|north\s+|south\s+|east\s+|west\s+)?(\w+)")


class Cluster(TypedDict):
    ids: list[int]
    score: float
    reasons: list[str]


@dataclass(slots=True)
class Person:
    """What the scan knows of one person, normalised; lists, as most hold one value."""

    id: int
    first: str = ""
    last: str = ""
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    streets: list[str] = field(default_factory=list)


def name_key(value: str) -> str:
    """Folded letters only: "O'Neil-Smith" -> "oneilsmith"."""
    return _LETTERS.sub("", fold(value)).replace(" ", "")


def nickname_canon(first: str) -> str:
    return NICKNAMES.get(first, first)


def phone_key(digits: str) -> str:
    """The last ten digits, so +1 and a bare area code meet; too short to mean anything: ''."""
    digits = only_digits(digits)
    return digits[-10:] if len(digits) >= 7 else ""


def street_key(street: str, postal_code: str) -> str:
    """House number, first street-name token, ZIP: "123 N. Elm St", "80521" -> "123 elm 80521"."""
    match = _STREET.match(fold(street))
    zip5 = only_digits(postal_code)[:5]
    if not match or not zip5:
        return ""
    return f"{match.group(1)} {match.group(2)} {zip5}"


# --- reading ------------------------------------------------------------------------------


def load_people(account: Account | int) -> dict[int, Person]:
    """Everyone not in the trash and not merged away, in four queries whatever the size."""
    people: dict[int, Person] = {}
    alive = Contact.objects.for_account(account).filter(
        deleted_at__isnull=True, merged_into__isnull=True
    )
    for pk, first, last in alive.values_list("id", "first_name", "last_name").iterator(
        chunk_size=5000
    ):
        people[pk] = Person(id=pk, first=name_key(first), last=name_key(last))
    child_filter = {"contact__deleted_at__isnull": True, "contact__merged_into__isnull": True}
    for contact_id, digits in (
        Phone.objects.for_account(account)
        .filter(**child_filter)
        .values_list("contact_id", "digits")
        .iterator(chunk_size=5000)
    ):
        key = phone_key(digits)
        if key and contact_id in people and key not in people[contact_id].phones:
            people[contact_id].phones.append(key)
    for contact_id, address in (
        Email.objects.for_account(account)
        .filter(**child_filter)
        .values_list("contact_id", "address")
        .iterator(chunk_size=5000)
    ):
        address = (address or "").strip().lower()
        if address and contact_id in people and address not in people[contact_id].emails:
            people[contact_id].emails.append(address)
    for contact_id, street, postal_code in (
        Address.objects.for_account(account)
        .filter(**child_filter)
        .values_list("contact_id", "street", "postal_code")
        .iterator(chunk_size=5000)
    ):
        key = street_key(street, postal_code)
        if key and contact_id in people and key not in people[contact_id].streets:
            people[contact_id].streets.append(key)
    return people


def dismissed_pairs(account: Account | int) -> set[tuple[int, int]]:
    return set(DuplicateDismissal.objects.for_account(account).values_list("first_id", "second_id"))


# --- blocking and scoring -----------------------------------------------------------------


def block_keys(person: Person) -> Iterable[str]:
    for phone in person.phones:
        yield "p" + phone
    for email in person.emails:
        yield "e" + email
    for street in person.streets:
        yield "a" + street
    first, last = person.first, person.last
    if last and first:
        # One namespace for both orders, so "Smith John" meets "John Smith"; a typo spoils
        # at most one of the two keys.
        yield f"n{last}|{first[:2]}"
        yield f"n{first}|{last[:2]}"
        if first in NICKNAMES:
            yield f"k{NICKNAMES[first]}|{last}"


def candidate_blocks(people: dict[int, Person]) -> Iterator[list[int]]:
    """The ids of each block of two or more people (and at most ``MAX_BLOCK``), sorted.

    Keys are kept as their hashes, and a block of one as a bare id: most keys are
    nobody else's, and 100,000 people make half a million of them."""
    blocks: dict[int, int | list[int]] = {}
    for person in people.values():
        for key in {hash(k) for k in block_keys(person)}:
            held = blocks.get(key)
            if held is None:
                blocks[key] = person.id
            elif isinstance(held, int):
                blocks[key] = [held, person.id]
            elif len(held) <= MAX_BLOCK:
                held.append(person.id)
    for held in blocks.values():
        if isinstance(held, list) and len(held) <= MAX_BLOCK:
            held.sort()
            yield held


def candidate_pairs(people: dict[int, Person]) -> set[tuple[int, int]]:
    """Every pair that shares a block (for tests and tuning; the scan never holds them all)."""
    return {pair for ids in candidate_blocks(people) for pair in combinations(ids, 2)}


def _first_similarity(a: str, b: str) -> tuple[float, bool]:
    """How alike two first names are (0..1), and whether a nickname made them alike."""
    if a == b:
        return 1.0, False
    if b in _NICKNAME_SETS.get(a, ()):
        return 1.0, True
    if len(a) == 1 or len(b) == 1:  # an initial
        return (0.9 if a[0] == b[0] else 0.0), False
    return ratio(a, b) / 100, False


def _name_similarity(a: Person, b: Person) -> tuple[float | None, list[str]]:
    """0..1, or None when either has no name; plus the reasons that explain it."""
    if not (a.first or a.last) or not (b.first or b.last):
        return None, []
    first, nickname = _first_similarity(a.first, b.first) if a.first and b.first else (0.5, False)
    last = _last_similarity(a.last, b.last)
    straight = (first + last) / 2
    swapped = 0.0
    if a.first and a.last and b.first and b.last:
        swapped = (ratio(a.first, b.last) + ratio(a.last, b.first)) / 200
    if swapped > straight and swapped >= 0.85:
        return swapped, ["first and last swapped"]
    reasons = ["nickname"] if nickname and last >= 0.85 else []
    return straight, reasons


def _last_similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.5
    if a == b:
        return 1.0
    # One typo in a short name costs a lot of ratio; count edits instead.
    edits = Levenshtein.distance(a, b, score_cutoff=3)
    if edits <= 1 and min(len(a), len(b)) >= 4:
        return 0.92
    return ratio(a, b) / 100


def score_pair(a: Person, b: Person) -> tuple[float, list[str]]:
    """How likely two people are one (0..1) and why, in words an agent reads."""
    same_phone = any(p in b.phones for p in a.phones)
    same_email = any(e in b.emails for e in a.emails)
    same_street = any(s in b.streets for s in a.streets)
    name, name_reasons = _name_similarity(a, b)
    reasons: list[str] = []
    if same_phone:
        reasons.append("same phone")
    if same_email:
        reasons.append("same email")
    if same_phone or same_email:
        if name is None:
            score = 0.85
        elif name >= 0.8:
            score = 0.93 + 0.03 * (same_phone and same_email) + 0.02 * same_street
            reasons.append("same name" if name >= 0.999 and not name_reasons else "similar name")
        elif name >= 0.65:
            score = 0.8
            reasons.append("similar name")
        else:  # a household line or a shared family address
            score = 0.45
        if same_street:
            reasons.append("same street")
        return min(score, 1.0), reasons + name_reasons
    if name is None:
        return 0.0, []
    if same_street:
        if name >= 0.85:
            return 0.88, ["similar name, same street", *name_reasons]
        return name * 0.6, ["same street"]
    # Names alone: only when nothing contradicts them (two different phones or emails).
    conflict = (a.phones and b.phones) or (a.emails and b.emails)
    if name >= 0.97 and not conflict:
        label = "same name" if name >= 0.999 and not name_reasons else "similar name"
        return 0.78, [label, *name_reasons]
    return name * 0.5, []


# --- clustering ---------------------------------------------------------------------------


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def cluster_pairs(scored: Iterable[tuple[int, int, float, list[str]]]) -> list[Cluster]:
    uf = _UnionFind()
    edges: list[tuple[int, int, float, list[str]]] = []
    for a, b, score, reasons in scored:
        uf.union(a, b)
        edges.append((a, b, score, reasons))
    members: dict[int, set[int]] = defaultdict(set)
    scores: dict[int, list[float]] = defaultdict(list)
    reason_counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for a, b, score, reasons in edges:
        root = uf.find(a)
        members[root].update((a, b))
        scores[root].append(score)
        for reason in reasons:
            reason_counts[root][reason] += 1
    clusters: list[Cluster] = []
    for root, ids in members.items():
        counts = reason_counts[root]
        clusters.append(
            {
                "ids": sorted(ids),
                "score": round(sum(scores[root]) / len(scores[root]), 3),
                "reasons": sorted(counts, key=lambda r: (-counts[r], r)),
            }
        )
    clusters.sort(key=lambda c: (-c["score"], c["ids"][0]))
    return clusters


def find_duplicates(
    account: Account | int,
    *,
    threshold: float = THRESHOLD,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> list[Cluster]:
    """Clusters of likely duplicates in the account, best first."""
    people = load_people(account)
    if on_progress:
        on_progress(1, 3, f"Read {len(people):,} people")
    dismissed = dismissed_pairs(account)
    if on_progress:
        on_progress(2, 3, f"Comparing {len(people):,} people")
    # A pair sharing several blocks is scored again rather than remembered: holding every
    # candidate pair of 100,000 people would cost far more memory than the rescoring.
    found: dict[tuple[int, int], tuple[float, list[str]]] = {}
    for ids in candidate_blocks(people):
        for pair in combinations(ids, 2):
            if pair in found or pair in dismissed:
                continue
            score, reasons = score_pair(people[pair[0]], people[pair[1]])
            if score >= threshold:
                found[pair] = (score, reasons)
    return cluster_pairs((a, b, score, reasons) for (a, b), (score, reasons) in found.items())


# --- the worker job and the dismissals ----------------------------------------------------


def duplicate_scan_run(job: Job) -> None:
    """The job handler: scan the job's account and keep the clusters as the result file."""
    import json

    from crm.jobs import finish, progress

    clusters = find_duplicates(
        job.account_id, on_progress=lambda done, total, msg: progress(job, done, total, msg)
    )
    finish(
        job,
        filename="duplicates.json",
        content=json.dumps(clusters).encode(),
        message=f"{len(clusters):,} groups of likely duplicates",
    )


def duplicate_scan_start(*, account: Account, actor: User | None) -> Job:
    from crm.jobs import job_start

    return job_start(
        account=account,
        actor=actor,
        kind=JOB_KIND,
        title="Scan for duplicates",
        params={},
        total=3,
    )


def duplicates_dismiss(
    *, account: Account, actor: User | None, contacts: list[Contact]
) -> list[DuplicateDismissal]:
    """Remember that these people are not one another: every pair, ordered first < second."""
    ids = sorted({c.pk for c in contacts if c.account_id == account.pk})
    known = dismissed_pairs(account)
    rows = [
        DuplicateDismissal(account=account, first_id=a, second_id=b, created_by=actor)
        for a, b in combinations(ids, 2)
        if (a, b) not in known
    ]
    with transaction.atomic():
        for row in rows:
            row.save()
    return rows


# --- reading for the review page ----------------------------------------------------------

REVIEW_WINDOW = 50


def duplicate_scan_latest(account: Account) -> Job | None:
    return (
        Job.objects.for_account(account)
        .filter(kind=JOB_KIND)
        .order_by("-created_at", "-id")
        .first()
    )


def duplicate_scan_clusters(job: Job) -> list[Cluster]:
    """The clusters a finished scan kept; empty when the file is gone."""
    import json

    if not job.result_file:
        return []
    try:
        with job.result_file.open("rb") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return []
    return data if isinstance(data, list) else []


def duplicate_review_next(
    account: Account, clusters: list[Cluster], start: int
) -> tuple[int, list[int]] | None:
    """The first cluster from ``start`` that still needs a decision, as (index, ids of the
    people still there): people merged or trashed since the scan drop out, and a cluster
    whose remaining pairs were all dismissed is done. Two queries per window of clusters."""
    start = max(start, 0)
    while start < len(clusters):
        window = clusters[start : start + REVIEW_WINDOW]
        wanted = {pk for cluster in window for pk in cluster["ids"]}
        alive = set(
            Contact.objects.for_account(account)
            .filter(pk__in=wanted, deleted_at__isnull=True, merged_into__isnull=True)
            .values_list("pk", flat=True)
        )
        dismissed = set(
            DuplicateDismissal.objects.for_account(account)
            .filter(first_id__in=alive, second_id__in=alive)
            .values_list("first_id", "second_id")
        )
        for offset, cluster in enumerate(window):
            ids = sorted(pk for pk in cluster["ids"] if pk in alive)
            if any(pair not in dismissed for pair in combinations(ids, 2)):
                return start + offset, ids
        start += REVIEW_WINDOW
    return None
