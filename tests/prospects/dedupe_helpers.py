"""People for the duplicate tests, written through the contacts service like a form would."""

from __future__ import annotations

from contacts.models import Contact
from contacts.services import AddressInput, ContactData, EmailInput, PhoneInput, contact_create
from crm.models import Account


def person(
    account: Account,
    first: str,
    last: str,
    *,
    phone: str = "",
    email: str = "",
    street: str = "",
    postal_code: str = "80521",
    database: str = "contacts",
) -> Contact:
    contact, _ = contact_create(
        account=account,
        actor=None,
        data=ContactData(
            fields={"first_name": first, "last_name": last, "database": database},
            phones=[PhoneInput(raw=phone)] if phone else [],
            emails=[EmailInput(address=email)] if email else [],
            addresses=[
                AddressInput(
                    street=street, city="Fort Collins", state="CO", postal_code=postal_code
                )
            ]
            if street
            else [],
        ),
    )
    return contact
