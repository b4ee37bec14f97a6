"""Call capture: the account's Twilio connection and numbers, listing codes with their
flyers, hotline calls and texts, texting consent per number, SMS threads and
click-to-dial calls."""

from __future__ import annotations

import secrets
from datetime import time
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, Phone
from crm.models import TenantModel
from prospects.models import PropertyAddress


def _token() -> str:
    return secrets.token_urlsafe(18)


class TwilioConnection(TenantModel):
    """The account's own Twilio project: SID and auth token (encrypted, never shown again)."""

    account_sid = models.CharField("account SID", max_length=34)
    auth_token_encrypted = models.TextField(editable=False)
    token_hint = models.CharField(max_length=8, editable=False, blank=True)
    lookup_enabled = models.BooleanField(
        "look up caller names",
        default=False,
        help_text="Twilio Lookup finds the caller's name (a small charge per lookup).",
    )
    quiet_from = models.TimeField("no automated texts after", default=time(21, 0))
    quiet_until = models.TimeField("…until", default=time(8, 0))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude: ClassVar[set[str]] = {"auth_token_encrypted"}

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account"], name="twilioconnection_one_per_account")
        ]

    def __str__(self) -> str:
        return f"Twilio {self.account_sid[:6]}…"

    @property
    def auth_token(self) -> str:
        from crm.crypto import decrypt

        return decrypt(self.auth_token_encrypted)


class TwilioNumber(TenantModel):
    """A number the account rents from Twilio; webhooks find the account by it."""

    connection = models.ForeignKey(
        TwilioConnection, on_delete=models.CASCADE, related_name="numbers"
    )
    e164 = models.CharField("number", max_length=20, unique=True)
    label = models.CharField(max_length=60, blank=True, help_text="For example “Sign riders”.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["e164"]

    def __str__(self) -> str:
        return self.label or self.e164

    @property
    def display(self) -> str:
        from contacts.phones import format_national

        return format_national(self.e164)


class ListingCode(TenantModel, PropertyAddress):
    """A listing (or a property address until listings exist) with its hotline code,
    its flyer and what the hotline says about it."""

    code = models.CharField(max_length=6, help_text="3 to 6 digits, e.g. 999.")
    headline = models.CharField(max_length=120, blank=True)
    price = models.PositiveIntegerField(null=True, blank=True)
    beds = models.PositiveSmallIntegerField(null=True, blank=True)
    baths = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    square_feet = models.PositiveIntegerField(null=True, blank=True)
    description = models.TextField(blank=True, help_text="Shown on the flyer.")
    spoken_text = models.TextField(
        "spoken description",
        blank=True,
        help_text="What the hotline says (text to speech). Blank: built from the details.",
    )
    recording_url = models.URLField(
        "recording", blank=True, help_text="An MP3 to play instead of text to speech."
    )
    flyer_token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["account", "code"], name="listingcode_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.property_address or self.headline}"

    def get_absolute_url(self) -> str:
        return reverse("listing_code_edit", args=[self.pk])

    @property
    def flyer_path(self) -> str:
        return reverse("flyer", args=[self.flyer_token])


class ListingPhoto(TenantModel):
    listing = models.ForeignKey(ListingCode, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="flyers/%Y/%m/")
    caption = models.CharField(max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    audit_parent: ClassVar[str | None] = "listing"

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name or "photo"


class TextingStatus(TenantModel):
    """Texting consent for one number: when and how it was given, and a STOP."""

    e164 = models.CharField(max_length=20)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_source = models.CharField(max_length=40, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_keyword = models.CharField(max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "e164"], name="textingstatus_unique")
        ]
        verbose_name_plural = "texting statuses"

    def __str__(self) -> str:
        return f"{self.e164}: {'stopped' if self.stopped_at else 'may text'}"

    @property
    def is_stopped(self) -> bool:
        return self.stopped_at is not None


class HotlineKind(models.TextChoices):
    CALL = "call", "Call"
    TEXT = "text", "Text"


class HotlineEvent(TenantModel):
    """One call to or text of the hotline, stored before anything else; Twilio's repeat
    deliveries of a webhook find the same row by its SID."""

    kind = models.CharField(max_length=8, choices=HotlineKind.choices)
    sid = models.CharField(max_length=64)
    from_number = models.CharField(max_length=20, blank=True)
    to_number = models.CharField(max_length=20)
    body = models.TextField(blank=True)
    code = models.CharField(max_length=12, blank=True)
    listing = models.ForeignKey(
        ListingCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="hotline_events"
    )
    outcome = models.CharField(max_length=40, blank=True)
    caller_name = models.CharField(max_length=120, blank=True)
    captured_at = models.DateTimeField(null=True, blank=True)
    listing_noted = models.ForeignKey(
        ListingCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The listing already written on the person (a code can come after the capture).",
    )  # fmt: skip
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    audited: ClassVar[bool] = False  # a log of its own; the people it makes are audited

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "kind", "sid"], name="hotlineevent_sid")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.from_number or 'unknown'}"


class Direction(models.TextChoices):
    INBOUND = "in", "Received"
    OUTBOUND = "out", "Sent"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    REFUSED = "refused", "Not sent"
    RECEIVED = "received", "Received"


class TextMessage(TenantModel):
    """One SMS to or from a person; an outbound row is written before it is sent."""

    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="texts"
    )
    direction = models.CharField(max_length=4, choices=Direction.choices)
    body = models.TextField()
    from_number = models.CharField(max_length=20)
    to_number = models.CharField(max_length=20)
    sid = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=MessageStatus.choices)
    error = models.CharField(max_length=200, blank=True)
    automated = models.BooleanField(default=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    audit_parent: ClassVar[str | None] = "contact"

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["account", "contact", "created_at"], name="text_thread"),
            models.Index(fields=["account", "sid"], name="text_sid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.body[:40]}"


class BridgeCall(TenantModel):
    """Click-to-dial: Twilio rings the agent's mobile, then connects the person."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="bridge_calls")
    phone = models.ForeignKey(Phone, null=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent_number = models.CharField(max_length=20)
    to_number = models.CharField(max_length=20)
    from_number = models.CharField(max_length=20)
    token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    sid = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=20, default="queued")
    duration = models.PositiveIntegerField(null=True, blank=True)
    logged = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    audit_parent: ClassVar[str | None] = "contact"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Call to {self.to_number}"

    def as_dict(self) -> dict[str, Any]:
        return {"to": self.to_number, "status": self.status, "duration": self.duration}
