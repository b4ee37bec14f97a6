"""Email-feed rows for the shared world: a received lead email, a showing and a source's
health; the feed settings come with the account. Texts carry the marker."""

from __future__ import annotations

from contacts.models import Contact
from crm.models import Account, User
from emailfeed.models import InboundMessage, Showing, SourceHealth


def populate(account: Account, owner: User, marker: str) -> None:
    person = Contact.objects.get(account=account, first_name=f"{marker}lead")
    raw = (
        f"From: {marker} portal <leads@{marker}.example.com>\r\nSubject: {marker} lead\r\n"
        f"Message-ID: <{marker}@example.com>\r\n\r\nName: {marker} lead\r\n"
    ).encode()
    message = InboundMessage.objects.create(
        account=account, message_id=f"{marker}@example.com", via="command", raw=raw,
        size=len(raw), subject=f"{marker} lead", from_address=f"leads@{marker}.example.com",
        status="lead_created", source=f"{marker} portal", contact=person,
        extracted={"first_name": marker},
    )  # fmt: skip
    Showing.objects.create(
        account=account, property_address=f"9 {marker} Court", source="ShowingTime",
        agent_name=f"{marker} agent", message=message,
    )  # fmt: skip
    SourceHealth.objects.create(account=account, domain=f"{marker}.example.com", parser="generic")
