"""Drips rows for the shared world: a content item of the account's own."""

from __future__ import annotations

from crm.models import Account, User
from drips.models import ContentItem


def populate(account: Account, owner: User, marker: str) -> None:
    ContentItem.objects.create(
        account=account,
        kind="email",
        series=f"{marker} series",
        title=f"{marker} hello",
        subject=f"Hello from {marker}",
        body=f'Hi {{{{ first_name|default:"there" }}}}, {marker} here.',
    )
