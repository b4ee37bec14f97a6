"""Helpers to make people and to fill in the person editor, for the contacts tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from contacts.models import Contact
from contacts.services import AddressInput, ContactData, EmailInput, PhoneInput, contact_create
from crm.models import Account, Category


def category(account: Account, key_or_name: str) -> Category:
    """A seeded category by key (``cold``) or any category by name."""
    categories = Category.objects.for_account(account)
    return categories.filter(key=key_or_name).first() or categories.get(name=key_or_name)


def make_person_in(
    account: Account,
    *,
    first: str = "",
    last: str = "",
    phones: Iterable[str | PhoneInput] = (),
    emails: Iterable[str] = (),
    addresses: Iterable[AddressInput] = (),
    categories: Iterable[str] = (),
    **fields: Any,
) -> Contact:
    contact, _ = contact_create(
        account=account,
        actor=None,
        data=ContactData(
            fields={"first_name": first, "last_name": last, **fields},
            phones=[p if isinstance(p, PhoneInput) else PhoneInput(raw=p) for p in phones],
            emails=[EmailInput(address=e) for e in emails],
            addresses=list(addresses),
            category_ids=[category(account, c).pk for c in categories],
        ),
    )
    return contact


def _formset(prefix: str, rows: Sequence[dict[str, Any]], initial: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def editor_post(
    *,
    phones: Sequence[str] = (),
    emails: Sequence[str] = (),
    addresses: Sequence[dict[str, Any]] = (),
    categories: Sequence[int] = (),
    initial: int = 0,
    **fields: Any,
) -> dict[str, Any]:
    """What the person editor posts: the person's fields and the three formsets."""
    data: dict[str, Any] = {"database": "contacts", **fields}
    if categories:
        data["categories"] = [str(pk) for pk in categories]
    data |= _formset("phones", [{"raw": p, "label": "mobile"} for p in phones], initial)
    data |= _formset("emails", [{"address": e, "label": "personal"} for e in emails], initial)
    data |= _formset(
        "addresses",
        [{"label": "home", "is_mailing": "on", "country": "US", **a} for a in addresses],
        initial,
    )
    return data
