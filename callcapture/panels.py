"""Call capture on a person's page (texts thread, click-to-dial) and the agent's own
alert texts for crm.notify."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from callcapture.models import (
    Direction,
    MessageStatus,
    TextingStatus,
    TextMessage,
    TwilioNumber,
)
from contacts.models import Contact
from contacts.phones import parse_phone

THREAD = 30  # texts shown on the record (the newest)


def person_panel(contact: Contact) -> dict[str, Any] | None:
    number = TwilioNumber.objects.for_account(contact.account_id).first()
    texts = list(
        TextMessage.objects.for_account(contact.account_id)
        .filter(contact=contact)
        .order_by("-created_at", "-id")[:THREAD]
    )
    if number is None and not texts:
        return None  # no Twilio and no history: nothing to show
    texts.reverse()
    numbers = {p.e164: p for p in contact.phones.all() if p.e164}
    statuses = TextingStatus.objects.for_account(contact.account_id).filter(e164__in=list(numbers))
    consent = [(numbers[s.e164], s) for s in statuses]
    stopped = {numbers[s.e164].pk for s in statuses if s.is_stopped}
    from contacts.reachability import Channel, reach

    return {
        "number": number,
        "texts": texts,
        "stopped": stopped,
        "consent": consent,
        "person": contact,
        "can_text": reach(contact, Channel.TEXT),
    }


def text_the_agent(account_id: int, mobile: str, text: str) -> None:
    """crm.notify's text sender: from the account's first Twilio number, never blocked by
    the contacts' rules (the agent asked for these). Sent at once from the calling worker
    (queued behind a burst of other work, an alert would be late)."""
    number = TwilioNumber.objects.for_account(account_id).first()
    to = parse_phone(mobile, "US").e164
    if number is None or not to:
        return
    message = TextMessage.objects.create(
        account_id=account_id, direction=Direction.OUTBOUND, body=text,
        from_number=number.e164, to_number=to, status=MessageStatus.QUEUED,
    )  # fmt: skip
    from callcapture.tasks import send_text_message

    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(
            lambda: send_text_message(account_id=account_id, message_id=message.pk)
        )
    else:
        send_text_message(account_id=account_id, message_id=message.pk)
