"""The email feed: each account's feed address and secrets, every message received
(stored raw before anything parses it), showings from lockbox services, and the health
of each sending source."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact
from crm.models import TenantModel


def _token() -> str:
    return secrets.token_hex(8)


def _secret() -> str:
    return secrets.token_urlsafe(24)


class FeedSettings(TenantModel):
    """The account's feed: its address (leads+TOKEN@FEED_DOMAIN), the secret for the HTTP
    endpoint, and an optional IMAP mailbox to poll."""

    token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    secret = models.CharField(max_length=64, default=_secret, editable=False)
    notify_unrecognised = models.BooleanField(
        "tell me about emails that could not be read", default=True
    )
    imap_enabled = models.BooleanField("poll a mailbox", default=False)
    imap_host = models.CharField("IMAP server", max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(default=993)
    imap_user = models.CharField("IMAP user", max_length=200, blank=True)
    imap_password_encrypted = models.TextField(blank=True, editable=False)
    imap_folder = models.CharField(max_length=100, default="INBOX")
    imap_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    imap_error = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    audit_exclude: ClassVar[set[str]] = {"secret", "imap_password_encrypted", "imap_checked_at"}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account"], name="feedsettings_one")]
        verbose_name_plural = "feed settings"

    def __str__(self) -> str:
        return self.address

    @property
    def address(self) -> str:
        domain = getattr(settings, "EMAILFEED_DOMAIN", "leads.localhost")
        return f"leads+{self.token}@{domain}"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be read"
    LEAD_CREATED = "lead_created", "Lead created"
    LEAD_UPDATED = "lead_updated", "Lead updated"
    SHOWING = "showing", "Showing"
    IGNORED = "ignored", "Ignored"
    UNRECOGNISED = "unrecognised", "Unrecognised"
    FAILED = "failed", "Failed"


class Via(models.TextChoices):
    HTTP = "http", "HTTP endpoint"
    WEBHOOK = "webhook", "Email service webhook"
    IMAP = "imap", "IMAP mailbox"
    COMMAND = "command", "Command line"
    TEST = "test", "Test lead"


class InboundMessage(TenantModel):
    """One email to the feed, raw bytes first; what parsing found comes after."""

    message_id = models.CharField(max_length=255, blank=True)
    via = models.CharField(max_length=10, choices=Via.choices)
    raw = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    oversize = models.BooleanField(default=False, help_text="Larger than the cap: stored cut.")
    subject = models.CharField(max_length=300, blank=True)
    from_address = models.CharField(max_length=254, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=14, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    parser = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=80, blank=True)
    extracted = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="feed_messages"
    )
    parsed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    audited: ClassVar[bool] = False  # a log of its own; the people it makes are audited

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "message_id"],
                condition=~Q(message_id=""),
                name="inbound_message_id_once",
            )
        ]
        indexes = [
            models.Index(fields=["account", "status", "-received_at"], name="inbound_status"),
            models.Index(fields=["account", "-received_at"], name="inbound_recent"),
        ]

    def __str__(self) -> str:
        return self.subject or f"Message {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("feed_message", args=[self.pk])


class Showing(TenantModel):
    """A showing a lockbox or showing service reported, by property address until the
    transactions issue adds listings to attach it to."""

    property_address = models.CharField(max_length=300)
    starts_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=80)
    agent = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="showings_made"
    )
    agent_name = models.CharField(max_length=160, blank=True)
    agent_email = models.CharField(max_length=254, blank=True)
    agent_phone = models.CharField(max_length=20, blank=True)
    message = models.ForeignKey(
        InboundMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="showings"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["account", "property_address"], name="showing_place")]

    def __str__(self) -> str:
        return f"Showing of {self.property_address}"


class SourceHealth(TenantModel):
    """Per sending domain: when it last parsed, and since when it fails, so the agent is
    told once when a source that used to work stops."""

    domain = models.CharField(max_length=200)
    parser = models.CharField(max_length=40, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    alerted_at = models.DateTimeField(null=True, blank=True)

    audited: ClassVar[bool] = False

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "domain"], name="sourcehealth_domain")
        ]

    def __str__(self) -> str:
        return self.domain
