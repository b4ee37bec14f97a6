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
    _sequence_rows(account, owner, marker)
    _campaign_rows(account, owner, marker)


def _sequence_rows(account: Account, owner: User, marker: str) -> None:
    from contacts.models import Contact
    from drips.models import Enrollment, Send, Sequence, Step

    item = ContentItem.objects.get(account=account, title=f"{marker} hello")
    sequence = Sequence.objects.create(account=account, name=f"{marker} sequence")
    step = Step.objects.create(
        account=account, sequence=sequence, position=1, kind="email", content=item
    )
    person = Contact.objects.get(account=account, first_name=f"{marker}first")
    enrollment = Enrollment.objects.create(
        account=account, contact=person, sequence=sequence, stopped_reason=marker
    )
    Send.objects.create(
        account=account, enrollment=enrollment, step=step, contact=person, kind="email",
        status="sent", to_address=f"{marker}.person@example.com",
    )  # fmt: skip
    letter = Step.objects.create(
        account=account, sequence=sequence, position=2, kind="letter", content=item
    )
    Send.objects.create(
        account=account, enrollment=enrollment, step=letter, contact=person, kind="letter",
        status="to_print",
    )  # fmt: skip


def _campaign_rows(account: Account, owner: User, marker: str) -> None:
    from datetime import date

    from contacts.models import Contact
    from drips.models import (
        BounceReport,
        Campaign,
        OccasionDone,
        OccasionSettings,
        Recipient,
    )

    item = ContentItem.objects.get(account=account, title=f"{marker} hello")
    person = Contact.objects.get(account=account, first_name=f"{marker}first")
    campaign = Campaign.objects.create(
        account=account, content=item, kind="email", title=f"{marker} campaign",
        subject=f"{marker} news", body="Hello", source_label=f"{marker} category",
        created_by=owner,
    )  # fmt: skip
    Recipient.objects.create(account=account, campaign=campaign, contact=person,
                             to_address=f"{marker}.person@example.com", status="sent")  # fmt: skip
    BounceReport.objects.create(
        account=account, via="report", raw=f"{marker} bounce".encode(),
        recipient=f"{marker}.person@example.com", contact=person,
    )  # fmt: skip
    OccasionDone.objects.create(account=account, contact=person, occasion="birthday",
                                year=date.today().year, how="done", by=owner)  # fmt: skip
    OccasionSettings.objects.create(account=account, birthday_card=item)
