"""Demo data: two agents' accounts, an assistant who serves both, and generated people."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from crm.models import Account, Category, Membership, Role, User
from crm.services import account_create, category_create, user_create
from crm.tenancy import rls_bypass, tenant_context

DEMO_PASSWORD = "demo-agent-2026"
DEMO_AGENT = ("demo@example.com", "Dana Whitaker", "Whitaker Home Team")
SECOND_AGENT = ("sam@example.com", "Sam Ortega", "Ortega Mountain Realty")
ASSISTANT = ("ari@example.com", "Ari Bennett")
PARTNER = ("jordan@example.com", "Jordan Kim")


def _user(email: str, full_name: str) -> tuple[User, bool]:
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user, False
    # Verified, so the demo agent can turn on two-factor login right away.
    return user_create(
        email=email, password=DEMO_PASSWORD, full_name=full_name, email_verified=True
    ), True


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
    for account, seed in ((demo, 1), (second, 2)):
        for seeder in _SEEDERS:
            with tenant_context(account.pk):
                seeder.top_up(account, people, seed)
    return {"demo": demo, "second": second}


@dataclass(frozen=True)
class Seeder:
    """What an app adds to the demo: ``top_up`` brings an account to a size (idempotent);
    ``add`` adds N more on request (``seed_demo --contacts N``)."""

    name: str
    top_up: Callable[[Account, int, int], int]
    add: Callable[[Account, int, int], int]


_SEEDERS: list[Seeder] = []


def register(seeder: Seeder) -> None:
    """Apps to the right of crm fill the demo through this, so crm never imports them."""
    if all(s.name != seeder.name for s in _SEEDERS):
        _SEEDERS.append(seeder)


def add_people(*, account: Account, count: int, seed: int = 0) -> int:
    made = 0
    for seeder in _SEEDERS:
        with tenant_context(account.pk):
            made += seeder.add(account, count, seed)
    return made
