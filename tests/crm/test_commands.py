"""Management commands other tools rely on: their names and output are a contract."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from contacts.models import Contact
from crm.models import Account, Category, Membership, User


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_it_creates_an_account_and_prints_its_id_last(db: None) -> None:
    output = _run("create_account", "--name", "Peak Realty", "--owner", "Pia@Example.com")
    account = Account.objects.get(pk=int(output.split()[-1]))
    assert account.name == "Peak Realty"
    owner = Membership.objects.get(account=account)
    assert owner.user.email == "pia@example.com"
    assert owner.role == "owner" and owner.can_manage_users and owner.can_see_income
    assert Category.objects.filter(account=account).count() == 11
    assert "password:" in output


def test_it_uses_the_given_password(db: None) -> None:
    _run(
        "create_account",
        "--name",
        "Peak",
        "--owner",
        "pia@example.com",
        "--password",
        "s3cret-pass!",
    )
    assert User.objects.get(email="pia@example.com").check_password("s3cret-pass!")


def test_it_gives_an_existing_user_a_second_account(db: None) -> None:
    _run("create_account", "--name", "One", "--owner", "pia@example.com")
    output = _run("create_account", "--name", "Two", "--owner", "pia@example.com")
    assert Account.objects.get(pk=int(output.split()[-1])).name == "Two"
    assert Membership.objects.filter(user__email="pia@example.com").count() == 2


def test_it_refuses_a_blank_account_name(db: None) -> None:
    with pytest.raises(CommandError):
        _run("create_account", "--name", "  ", "--owner", "pia@example.com")


def test_it_seeds_the_demo_world_idempotently(db: None) -> None:
    first = _run("seed_demo")
    counts = (Account.objects.count(), User.objects.count(), Contact.objects.count())
    _run("seed_demo")
    assert (Account.objects.count(), User.objects.count(), Contact.objects.count()) == counts
    assert "demo@example.com" in first
    ari = User.objects.get(email="ari@example.com")
    assert Membership.objects.filter(user=ari, role="assistant").count() == 2


def test_it_adds_generated_people_on_request(db: None) -> None:
    _run("seed_demo")
    demo = Membership.objects.get(user__email="demo@example.com", role="owner").account
    before = Contact.objects.filter(account=demo).count()
    _run("seed_demo", "--contacts", "250")
    assert Contact.objects.filter(account=demo).count() == before + 250
