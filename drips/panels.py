"""Drips on a person's page: their sequences, the next send, and the controls."""

from __future__ import annotations

from typing import Any

from contacts.models import Contact
from drips.models import Enrollment, Recipient, Send, Sequence


def person_panel(contact: Contact) -> dict[str, Any] | None:
    enrollments = list(
        Enrollment.objects.for_account(contact.account_id)
        .filter(contact=contact)
        .select_related("sequence")
        .order_by("-created_at")[:20]
    )
    sends = list(
        Send.objects.for_account(contact.account_id)
        .filter(contact=contact)
        .select_related("step__content")
        .order_by("-created_at")[:10]
    )
    choices = list(Sequence.objects.for_account(contact.account_id).only("pk", "name"))
    bulk = list(
        Recipient.objects.for_account(contact.account_id)
        .filter(contact=contact)
        .select_related("campaign")
        .order_by("-id")[:10]
    )
    return {"person": contact, "enrollments": enrollments, "sends": sends, "sequences": choices,
            "bulk": bulk}  # fmt: skip
