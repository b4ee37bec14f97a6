"""The contacts panel on the dashboard: the database at a glance and the next calls."""

from __future__ import annotations

from typing import Any

from contacts.filters import calldown_order
from contacts.models import Contact, Database
from contacts.selectors import with_row_data
from crm.models import Account, Membership


def panel(account: Account, membership: Membership) -> dict[str, Any]:
    people = Contact.objects.for_account(account).alive()
    in_contacts = people.filter(database=Database.CONTACTS)
    return {
        "contacts": in_contacts.count(),
        "prospects": people.filter(database=Database.PROSPECTS).count(),
        "next_calls": list(with_row_data(calldown_order(in_contacts))[:5]),
    }
