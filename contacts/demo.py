"""Generated people for the demo and for benchmarks: names, phones, emails, addresses,
categories and search text, bulk-created so 100,000 take about a minute."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.models import Account, Category
from crm.tenancy import tenant_context

FIRST_NAMES = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Lisa",
    "Daniel",
    "Nancy",
    "Matthew",
    "Betty",
    "Anthony",
    "Sandra",
    "Mark",
    "Margaret",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Andrew",
    "Emily",
    "Paul",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "George",
    "Deborah",
    "Timothy",
    "Stephanie",
    "Ronald",
    "Rebecca",
    "Jason",
    "Sharon",
    "Edward",
    "Laura",
    "Jeffrey",
    "Cynthia",
    "Ryan",
    "Dorothy",
    "Jacob",
    "Amy",
    "Gary",
    "Kathleen",
    "Nicholas",
    "Angela",
    "Eric",
    "Shirley",
    "Jonathan",
    "Brenda",
    "Stephen",
    "Emma",
    "Larry",
    "Anna",
    "Justin",
    "Pamela",
    "Scott",
    "Nicole",
    "Brandon",
    "Samantha",
    "Benjamin",
    "Katherine",
    "Samuel",
    "Christine",
    "Gregory",
    "Helen",
    "Alexander",
    "Debra",
    "Patrick",
    "Rachel",
    "Frank",
    "Carolyn",
    "Raymond",
    "Janet",
    "Jack",
    "Maria",
    "Dennis",
    "Catherine",
    "Jerry",
    "Heather",
    "Tyler",
    "Diane",
    "Aaron",
    "Olivia",
    "Jose",
    "Julie",
    "Adam",
    "Joyce",
    "Nathan",
    "Victoria",
    "Henry",
    "Ruth",
    "Zachary",
    "Virginia",
    "Douglas",
    "Lauren",
    "Peter",
    "Kelly",
    "Kyle",
    "Christina",
    "Noah",
    "Joan",
    "Ethan",
    "Evelyn",
    "Jeremy",
    "Judith",
    "Walter",
    "Andrea",
    "Christian",
    "Hannah",
    "Keith",
    "Megan",
    "Roger",
    "Cheryl",
    "Terry",
    "Jacqueline",
    "Austin",
    "Martha",
    "Sean",
    "Madison",
    "Gerald",
    "Teresa",
    "Carl",
    "Gloria",
    "Harold",
    "Sara",
    "Dylan",
    "Janice",
    "Arthur",
    "Ann",
    "Lawrence",
    "Kathryn",
    "Jordan",
    "Abigail",
    "Jesse",
    "Sophia",
    "Bryan",
    "Frances",
    "Billy",
    "Jean",
    "Bruce",
    "Alice",
    "Gabriel",
    "Judy",
    "Joe",
    "Isabella",
    "Logan",
    "Julia",
    "Alan",
    "Grace",
    "Juan",
    "Amber",
    "Albert",
    "Denise",
    "Willie",
    "Danielle",
    "Elijah",
    "Marilyn",
    "Wayne",
    "Beverly",
    "Randy",
    "Charlotte",
    "Vincent",
    "Natalie",
    "Mason",
    "Theresa",
    "Roy",
    "Diana",
    "Ralph",
    "Brittany",
    "Bobby",
    "Doris",
    "Russell",
    "Kayla",
    "Bradley",
    "Alexis",
    "Philip",
    "Lori",
    "Eugene",
    "Marie",
    "Sandy",
    "Jack",
    "Liz",
    "Bob",
    "Rob",
    "Bill",
    "Kathy",
    "Sue",
    "Jim",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jimenez",
    "Powell",
    "Jenkins",
    "Perry",
    "Russell",
    "Sullivan",
    "Bell",
    "Coleman",
    "Butler",
    "Henderson",
    "Barnes",
    "Gonzales",
    "Fisher",
    "Vasquez",
    "Simmons",
    "Romero",
    "Jordan",
    "Patterson",
    "Alexander",
    "Hamilton",
    "Graham",
    "Reynolds",
    "Griffin",
    "Wallace",
    "Moreno",
    "West",
    "Cole",
    "Hayes",
    "Bryant",
    "Herrera",
    "Gibson",
    "Ellis",
    "Tran",
    "Medina",
    "Aguilar",
    "Stevens",
    "Murray",
    "Ford",
    "Castro",
    "Marshall",
    "Owens",
    "Harrison",
    "Fernandez",
    "McDonald",
    "Woods",
    "Washington",
    "Kennedy",
    "Wells",
    "Vargas",
    "Henry",
    "Chen",
    "Freeman",
    "Webb",
    "Tucker",
    "Guzman",
    "Burns",
    "Crawford",
    "Olson",
    "Simpson",
    "Porter",
    "Hunter",
    "Gordon",
    "Mendez",
    "Silva",
    "Shaw",
    "Snyder",
    "Mason",
    "Dixon",
    "Munoz",
    "Hunt",
    "Hicks",
    "Holmes",
    "Palmer",
    "Wagner",
    "Black",
    "Robertson",
    "Boyd",
    "Rose",
    "Stone",
    "Salazar",
    "Fox",
    "Warren",
    "Mills",
    "Meyer",
    "Rice",
    "Schmidt",
    "Garza",
    "Daniels",
    "Ferguson",
    "Nichols",
    "Stephens",
    "Soto",
    "Weaver",
    "Ryan",
    "Gardner",
    "Payne",
    "Grant",
]


def _generated(account: Account, count: int, seed: int) -> Iterator[tuple[str, str, str, int]]:
    rng = random.Random(f"{account.pk}-{seed}-{count}")
    for _ in range(count):
        database = "prospects" if rng.random() < 0.35 else "contacts"
        days_ago = rng.randint(0, 900) if rng.random() < 0.8 else -1
        yield rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), database, days_ago


STREETS = [
    "Elm",
    "Oak",
    "Maple",
    "Cedar",
    "Pine",
    "Aspen",
    "Spruce",
    "Willow",
    "Mountain",
    "Lake",
    "River",
    "Prospect",
    "Laporte",
    "College",
    "Mulberry",
    "Drake",
    "Horsetooth",
]
STREET_KINDS = ["St", "Ave", "Dr", "Ct", "Ln", "Way", "Rd"]
CITIES = [
    ("Fort Collins", "80521"),
    ("Loveland", "80537"),
    ("Greeley", "80631"),
    ("Windsor", "80550"),
    ("Wellington", "80549"),
    ("Timnath", "80547"),
]


def _person_rows(
    rng: random.Random, now: Any, first: str, last: str, days_ago: int, n: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One generated person's channels: most have a phone and an email, many a mailing
    address; a few of each have gone bad, on a date in the last 500 days."""

    def went_bad(share: float) -> Any:
        return now - timedelta(days=rng.randint(0, 500)) if rng.random() < share else None

    children: list[dict[str, Any]] = []
    if rng.random() < 0.85:
        line = f"{rng.randint(0, 9999):04d}"
        bad_at, dnc_at = went_bad(0.04), went_bad(0.01)
        status = "bad" if bad_at else "dnc" if dnc_at else "ok"
        children.append({
            "model": "phone", "raw": f"(970) 555-{line}", "e164": f"+1970555{line}",
            "digits": f"1970555{line}", "status": status, "status_changed_at": bad_at or dnc_at,
        })  # fmt: skip
    if rng.random() < 0.75:
        bounced = went_bad(0.04)
        status = rng.choice(("hard_bounce", "hard_bounce", "complaint")) if bounced else "ok"
        children.append({
            "model": "email", "address": f"{first}.{last}{n}@example.com".lower(),
            "status": status, "status_changed_at": bounced,
        })  # fmt: skip
    if rng.random() < 0.6:
        city, postal_code = rng.choice(CITIES)
        returned = went_bad(0.03)
        children.append({
            "model": "address",
            "street": f"{rng.randint(100, 9999)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}",
            "city": city, "state": "CO", "postal_code": postal_code,
            "status": "returned" if returned else "ok", "status_changed_at": returned,
        })  # fmt: skip
    silent = max(days_ago, 0)
    fields = {
        "created_at": now - timedelta(days=silent + rng.randint(0, 1500)),
        "last_contacted_at": None if days_ago < 0 else now - timedelta(days=days_ago),
    }
    return fields, children


def add_people(*, account: Account, count: int, seed: int = 0, batch: int = 5000) -> int:
    """Bulk-create ``count`` generated people with phones, emails, mailing addresses, a
    spread of categories and their search text. Fast: 100,000 in about a minute on SQLite
    or Postgres."""
    from contacts.models import Address, Contact, ContactCategory, Email, Phone
    from contacts.search import build_search_text

    models: dict[str, Any] = {"phone": Phone, "email": Email, "address": Address}
    now = timezone.now()
    made = 0
    with tenant_context(account.pk):
        categories = list(Category.objects.for_account(account).order_by("pk"))
        rng = random.Random(seed)
        rows = _generated(account, count, seed)
        while made < count:
            chunk: list[Contact] = []
            kids: list[list[dict[str, Any]]] = []
            for first, last, database, days_ago in rows:
                fields, children = _person_rows(rng, now, first, last, days_ago, made + len(chunk))
                search_text = build_search_text(
                    names=[first, last],
                    emails=[c["address"] for c in children if c["model"] == "email"],
                    phone_digits=[c["digits"] for c in children if c["model"] == "phone"],
                    streets=[c["street"] for c in children if c["model"] == "address"],
                )
                chunk.append(
                    Contact(
                        account=account,
                        first_name=first,
                        last_name=last,
                        database=database,
                        search_text=search_text,
                        **fields,
                    )
                )
                kids.append(children)
                if len(chunk) >= batch:
                    break
            if not chunk:
                break
            with transaction.atomic():
                created = Contact.objects.bulk_create(chunk, batch_size=1000)
                links = [
                    ContactCategory(account=account, contact=c, category=cat)
                    for c in created
                    for cat in rng.sample(
                        categories, k=min(len(categories), rng.choice((0, 1, 1, 2)))
                    )
                ]
                ContactCategory.objects.bulk_create(links, batch_size=2000)
                for name, model in models.items():
                    model.objects.bulk_create(
                        [
                            model(
                                account=account,
                                contact=contact,
                                **{k: v for k, v in child.items() if k != "model"},
                            )
                            for contact, children in zip(created, kids, strict=True)
                            for child in children
                            if child["model"] == name
                        ],
                        batch_size=2000,
                    )
            made += len(created)
    _refresh_planner_statistics(
        [m._meta.db_table for m in (Contact, ContactCategory, *models.values())]
    )
    return made


def _refresh_planner_statistics(tables: list[str]) -> None:
    """After a bulk load on Postgres: fresh statistics for the planner and, outside a
    transaction, a visibility map so counts read indexes alone. Autovacuum gets there
    too, but only minutes later; a benchmark run right after seeding would see neither."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(f"{verb} {', '.join(tables)}")


def top_up(account: Account, size: int, seed: int) -> int:
    """Bring the account to ``size`` people (the idempotent part of seed_demo)."""
    from contacts.models import Contact

    missing = size - Contact.objects.for_account(account).count()
    return add_people(account=account, count=missing, seed=seed) if missing > 0 else 0


def add(account: Account, count: int, seed: int) -> int:
    return add_people(account=account, count=count, seed=seed)
