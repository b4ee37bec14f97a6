"""Demo data: two agents' accounts, an assistant who serves both, and generated people."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from crm.models import Account, Category, Membership, Role, User
from crm.services import account_create, category_create
from crm.tenancy import rls_bypass, tenant_context

DEMO_PASSWORD = "demo-agent-2026"
DEMO_AGENT = ("demo@example.com", "Dana Whitaker", "Whitaker Home Team")
SECOND_AGENT = ("sam@example.com", "Sam Ortega", "Ortega Mountain Realty")
ASSISTANT = ("ari@example.com", "Ari Bennett")
PARTNER = ("jordan@example.com", "Jordan Kim")

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


def _user(email: str, full_name: str) -> tuple[User, bool]:
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user, False
    return User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name), True


def _account(owner: User, name: str) -> Account:
    existing = Membership.objects.filter(user=owner, role=Role.OWNER, account__name=name).first()
    if existing is not None:
        return existing.account
    return account_create(name=name, owner=owner)


def _member(account: Account, user: User, role: str) -> None:
    with tenant_context(account.pk):
        if not Membership.objects.filter(account=account, user=user).exists():
            membership = Membership(account=account, user=user, role=role)
            membership.apply_role_preset()
            membership.save()


@transaction.atomic
def seed_world(*, people: int = 60) -> dict[str, Account]:
    """Idempotent: the same world however often it runs."""
    with rls_bypass():  # finding what exists spans accounts on purpose
        return _seed_world(people)


def _seed_world(people: int) -> dict[str, Account]:
    dana, _ = _user(*DEMO_AGENT[:2])
    sam, _ = _user(*SECOND_AGENT[:2])
    ari, _ = _user(*ASSISTANT)
    jordan, _ = _user(*PARTNER)
    demo = _account(dana, DEMO_AGENT[2])
    second = _account(sam, SECOND_AGENT[2])
    _member(demo, ari, Role.ASSISTANT)
    _member(second, ari, Role.ASSISTANT)
    _member(demo, jordan, Role.PARTNER)
    for account, owner, extra in (
        (demo, dana, ["Open House 2026", "Lake Farm", "Investors"]),
        (second, sam, ["Ski Condo Owners", "Relocation"]),
    ):
        with tenant_context(account.pk, owner.pk):
            for name in extra:
                if not Category.objects.for_account(account).filter(name=name).exists():
                    category_create(account=account, name=name)
    from contacts.models import Contact

    for account, seed in ((demo, 1), (second, 2)):
        with tenant_context(account.pk):
            missing = people - Contact.objects.for_account(account).count()
        if missing > 0:
            add_people(account=account, count=missing, seed=seed)
    return {"demo": demo, "second": second}


def _generated(account: Account, count: int, seed: int) -> Iterator[tuple[str, str, str, int]]:
    rng = random.Random(f"{account.pk}-{seed}-{count}")
    for _ in range(count):
        database = "prospects" if rng.random() < 0.35 else "contacts"
        days_ago = rng.randint(0, 900) if rng.random() < 0.8 else -1
        yield rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), database, days_ago


def add_people(*, account: Account, count: int, seed: int = 0, batch: int = 5000) -> int:
    """Bulk-create ``count`` generated people with a spread of categories. Fast: 100,000 in
    well under a minute on SQLite or Postgres."""
    from contacts.models import Contact, ContactCategory

    now = timezone.now()
    made = 0
    with tenant_context(account.pk):
        categories = list(Category.objects.for_account(account).order_by("pk"))
        rng = random.Random(seed)
        rows = _generated(account, count, seed)
        while made < count:
            chunk = []
            for first, last, database, days_ago in rows:
                chunk.append(
                    Contact(
                        account=account,
                        first_name=first,
                        last_name=last,
                        database=database,
                        last_contacted_at=None if days_ago < 0 else now - timedelta(days=days_ago),
                    )
                )
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
            made += len(created)
    return made
