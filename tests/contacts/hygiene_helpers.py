"""Making people for the hygiene, Christmas card test and Cold clean-up tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.utils import timezone

from contacts.models import Contact
from contacts.services import (
    AddressInput,
    ContactData,
    EmailInput,
    PhoneInput,
    category_by_key,
    contact_create,
)
from crm.models import Account, User

VALID_ADDRESS = {"street": "12 Elm St", "city": "Fort Collins", "state": "CO"}


def person(
    account: Account,
    owner: User,
    first: str,
    last: str = "",
    *,
    categories: Sequence[str] = (),
    phones: Sequence[str] = (),
    emails: Sequence[str] = (),
    addresses: Sequence[dict[str, Any]] = (),
    **fields: Any,
) -> Contact:
    contact, _ = contact_create(
        account=account,
        actor=owner,
        data=ContactData(
            fields={"first_name": first, "last_name": last, **fields},
            phones=[PhoneInput(raw=p) for p in phones],
            emails=[EmailInput(address=e) for e in emails],
            addresses=[AddressInput(**a) for a in addresses],
            category_ids=[category_by_key(account.pk, key).pk for key in categories],
        ),
    )
    return contact


def days_ago(days: int) -> Any:
    return timezone.now() - timedelta(days=days)


def in_category(contact: Contact, key: str) -> bool:
    return contact.category_links.filter(category__key=key).exists()


def count_queries(client: Client, url: str) -> int:
    """Queries of one page view, after a first view has warmed the session and caches.
    (Counted with an execute wrapper: the query log is reset when a request starts.)"""
    client.get(url)
    executed: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(url)
    assert response.status_code == 200
    return len(executed)
