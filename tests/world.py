"""The small multi-tenant world every test can stand in.

Alpha Realty (A): alice the owner, pat a partner, ann an assistant without
income or delete rights. Bravo Homes (B): bob, the outsider; every text of
B's rows carries the marker "bravo" so a leak is easy to see. Charlie
Properties (C): carl's account, where ann also assists, to switch between.

``populate_account`` gives an account at least one row of every tenant model;
a later issue that adds a tenant model adds its rows here (the probe checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contacts.services import (
    AddressInput,
    ContactData,
    EmailInput,
    PhoneInput,
    contact_create,
    contact_log,
    smartlist_save,
)
from crm.models import Account, Category, Invitation, Job, Membership, Role, User
from crm.services import account_create, category_create, invitation_create
from crm.tenancy import tenant_context

PASSWORD = "correct-horse-battery-staple"
B_MARKER = "bravo"


@dataclass
class World:
    a: Account
    b: Account
    c: Account
    alice: User
    pat: User
    ann: User
    bob: User
    carl: User


def make_user(email: str, full_name: str) -> User:
    return User.objects.create_user(email=email, password=PASSWORD, full_name=full_name)


def add_member(account: Account, user: User, role: str, **flags: bool) -> Membership:
    with tenant_context(account.pk):
        membership = Membership(account=account, user=user, role=role)
        membership.apply_role_preset()
        for flag, value in flags.items():
            setattr(membership, flag, value)
        membership.save()
    return membership


def populate_account(account: Account, owner: User, marker: str) -> None:
    """One or more rows of every tenant model, each text carrying ``marker``."""
    with tenant_context(account.pk, owner.pk):
        category = category_create(account=account, name=f"{marker} farm", description=marker)
        person, _ = contact_create(
            account=account,
            actor=owner,
            data=ContactData(
                fields={"first_name": f"{marker}first", "last_name": f"{marker}last"},
                phones=[PhoneInput(raw="(970) 555-0123")],
                emails=[EmailInput(address=f"{marker}.person@example.com")],
                addresses=[AddressInput(street=f"1 {marker} Way", city="Fort Collins", state="CO")],
                category_ids=[category.pk],
            ),
        )
        contact_create(
            account=account,
            actor=owner,
            data=ContactData(
                fields={
                    "first_name": f"{marker}lead",
                    "last_name": f"{marker}prospect",
                    "database": "prospects",
                    "spouse": person,
                },
                category_ids=[category.pk],
            ),
        )
        contact_log(
            contact=person,
            actor=owner,
            kind="call_connected",
            body=f"talked with {marker}",
            follow_up_on=date(2030, 1, 1),
        )
        smartlist_save(account=account, actor=owner, name=f"{marker} list", query="q=" + marker)
        Job.objects.create(
            account=account,
            kind="contacts.export",
            title=f"{marker} export",
            status="done",
            result_name=f"{marker}.csv",
            created_by=owner,
        )
        _populate_extras(account, owner, marker)
        invitation_create(
            account=account,
            email=f"{marker}.helper@example.com",
            role=Role.ASSISTANT,
            invited_by=owner,
        )


def _populate_extras(account: Account, owner: User, marker: str) -> None:
    """Each feature adds its own rows in tests/world_extras/<feature>.py (populate())."""
    import importlib
    import pkgutil

    from tests import world_extras

    for module in pkgutil.iter_modules(world_extras.__path__):
        importlib.import_module(f"tests.world_extras.{module.name}").populate(
            account, owner, marker
        )


def build_world() -> World:
    alice = make_user("alice@example.com", "Alice Agent")
    pat = make_user("pat@example.com", "Pat Partner")
    ann = make_user("ann@example.com", "Ann Assistant")
    bob = make_user("bob@example.com", "Bob Bravo-Owner")
    carl = make_user("carl@example.com", "Carl Charlie")
    a = account_create(name="Alpha Realty", owner=alice)
    b = account_create(name="Bravo Homes bravo", owner=bob)
    c = account_create(name="Charlie Properties", owner=carl)
    add_member(a, pat, Role.PARTNER)
    add_member(a, ann, Role.ASSISTANT)
    add_member(c, ann, Role.ASSISTANT)
    populate_account(a, alice, "alpha")
    populate_account(b, bob, B_MARKER)
    populate_account(c, carl, "charlie")
    return World(a=a, b=b, c=c, alice=alice, pat=pat, ann=ann, bob=bob, carl=carl)


def categories_of(account: Account) -> list[Category]:
    return list(Category.objects.for_account(account))


def open_invitation(account: Account) -> Invitation:
    return Invitation.objects.for_account(account).filter(accepted_at__isnull=True).first()  # type: ignore[return-value]
