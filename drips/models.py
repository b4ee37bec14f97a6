"""Drips and email: the account's content library (letters, emails, eCards, flyers)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact
from crm.models import TenantModel


class ContentKind(models.TextChoices):
    EMAIL = "email", "Email"
    LETTER = "letter", "Printed letter"
    ECARD = "ecard", "eCard"
    FLYER = "flyer", "Flyer"


class ContentItem(TenantModel):
    """One piece of the library, with merge fields ({{ first_name|default:"there" }}).
    Seeded items keep their ``key``; people copy and edit them."""

    key = models.SlugField(max_length=60, blank=True, default="")
    kind = models.CharField(max_length=8, choices=ContentKind.choices)
    series = models.CharField(max_length=80, blank=True)
    title = models.CharField(max_length=120)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "series", "title"]
        indexes = [models.Index(fields=["account", "kind", "series"], name="content_by_kind")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("content_item", args=[self.pk])


class StepKind(models.TextChoices):
    EMAIL = "email", "Email"
    LETTER = "letter", "Printed letter"
    TASK = "task", "Task for you"


class Sequence(TenantModel):
    """Ordered steps that go out one after another, each after its delay."""

    key = models.SlugField(max_length=60, blank=True, default="")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sequence_detail", args=[self.pk])


class Step(TenantModel):
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=StepKind.choices)
    content = models.ForeignKey(
        ContentItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task_title = models.CharField(max_length=200, blank=True)
    delay_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days after the step before it (after enrolling, for the first)."
    )

    audit_parent: ClassVar[str | None] = "sequence"

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["sequence", "position"], name="step_position_once")
        ]

    def __str__(self) -> str:
        what = self.content.title if self.content_id and self.content else self.task_title
        return f"{self.position}. {self.get_kind_display()}: {what}"


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    STOPPED = "stopped", "Stopped"
    DONE = "done", "Finished"


class Enrollment(TenantModel):
    """One person on one sequence: the step due next and when."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="enrollments")
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="enrollments")
    status = models.CharField(
        max_length=8, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    next_position = models.PositiveSmallIntegerField(default=1)
    next_due_at = models.DateTimeField(null=True, blank=True)
    stopped_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    audit_parent: ClassVar[str | None] = "contact"

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_due_at"], name="enrollment_due")]

    def __str__(self) -> str:
        return f"{self.contact} on {self.sequence}"


class SendStatus(models.TextChoices):
    QUEUED = "queued", "Sending"
    SENT = "sent", "Sent"
    TO_PRINT = "to_print", "To print"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"


class Send(TenantModel):
    """A step going out to a person: written before anything is sent, once per
    enrollment and step, so a retry or a second worker finds it and sends nothing twice."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="sends")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="sends")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="drip_sends")
    kind = models.CharField(max_length=8, choices=StepKind.choices)
    status = models.CharField(max_length=8, choices=SendStatus.choices)
    to_address = models.CharField(max_length=254, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)  # the beat pass's own "now"
    sent_at = models.DateTimeField(null=True, blank=True)
    # When the delivery task was last handed to the broker: a queued email not sent long
    # after that (its worker was killed) is handed over again by the beat pass.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # When a delivery task took it: a row taken long ago and still queued lost its worker.
    claimed_at = models.DateTimeField(null=True, blank=True)

    audited: ClassVar[bool] = False  # the log of what went out is this table itself

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "step"], name="send_once_per_step")
        ]
        indexes = [
            models.Index(fields=["account", "contact", "kind", "sent_at"], name="send_cap"),
            models.Index(
                fields=["claimed_at"], condition=models.Q(status="queued"), name="send_queued"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.contact}"


# ---- bulk email and eCards -----------------------------------------------------------------


class CampaignStatus(models.TextChoices):
    SENDING = "sending", "Sending"
    DONE = "done", "Finished"
    CANCELLED = "cancelled", "Cancelled"


class Campaign(TenantModel):
    """One bulk email or eCard to a category or a filter result. Subject and body are
    kept as sent, whatever happens to the library item afterwards."""

    content = models.ForeignKey(
        ContentItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=ContentKind.choices)
    title = models.CharField(max_length=120)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    source_label = models.CharField(max_length=200)
    skip_cold = models.BooleanField(default=True)
    occasion = models.BooleanField(default=False)  # one birthday or anniversary card
    status = models.CharField(
        max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.SENDING
    )
    job = models.ForeignKey("crm.Job", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaign_detail", args=[self.pk])


class RecipientStatus(models.TextChoices):
    QUEUED = "queued", "Waiting"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Left out"
    FAILED = "failed", "Failed"


class Recipient(TenantModel):
    """One person of a campaign: written (with the reason when skipped) before anything
    is sent, once per campaign and person."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    to_address = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=8, choices=RecipientStatus.choices)
    reason = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    audited: ClassVar[bool] = False

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="recipient_once")
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="recipient_status")]

    def __str__(self) -> str:
        return f"{self.campaign} to {self.contact}"


# ---- bounces and complaints ----------------------------------------------------------------


class BounceVia(models.TextChoices):
    REPORT = "report", "Delivery report (email)"
    SERVICE = "service", "Email service event"


class BounceOutcome(models.TextChoices):
    NEW = "new", "Not processed yet"
    HARD = "hard", "Hard bounce"
    SOFT = "soft", "Soft bounce, retried"
    SOFT_LIMIT = "soft_limit", "Soft bounces reached the limit: hard"
    DELAYED = "delayed", "Delayed (the server keeps trying)"
    COMPLAINT = "complaint", "Complaint"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed at the email service"
    IGNORED = "ignored", "Nothing to do"


class BounceReport(TenantModel):
    """A bounce or complaint as it arrived (stored before it is read), and what it did."""

    via = models.CharField(max_length=8, choices=BounceVia.choices)
    raw = models.BinaryField()
    verp_token = models.CharField(max_length=120, blank=True)
    # The report's Message-ID or the service's event id: the same report twice is one.
    dedupe_key = models.CharField(max_length=250, blank=True, db_index=True)
    received_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=12, choices=BounceOutcome.choices,
                               default=BounceOutcome.NEW)  # fmt: skip
    recipient = models.CharField(max_length=254, blank=True)
    status_code = models.CharField(max_length=20, blank=True)
    diagnostic = models.CharField(max_length=300, blank=True)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    audited: ClassVar[bool] = False

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.recipient or '?'}"


# ---- birthdays and home anniversaries ------------------------------------------------------


class Occasion(models.TextChoices):
    BIRTHDAY = "birthday", "Birthday"
    ANNIVERSARY = "anniversary", "Home anniversary"


class OccasionHow(models.TextChoices):
    CALLED = "called", "Called"
    ECARD = "ecard", "eCard sent"
    AUTO_ECARD = "auto_ecard", "eCard sent automatically"
    DONE = "done", "Marked done"


class OccasionDone(TenantModel):
    """This year's birthday or home anniversary of a person, taken care of (once)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    occasion = models.CharField(max_length=12, choices=Occasion.choices)
    year = models.PositiveSmallIntegerField()
    how = models.CharField(max_length=12, choices=OccasionHow.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(default=timezone.now)

    audited: ClassVar[bool] = False

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "occasion", "year"], name="occasion_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_occasion_display()} {self.year}: {self.contact}"


class OccasionSettings(TenantModel):
    """Whether birthday and home-anniversary eCards go out by themselves, and which."""

    auto_birthday = models.BooleanField("send birthday eCards automatically", default=False)
    birthday_card = models.ForeignKey(
        ContentItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    auto_anniversary = models.BooleanField(
        "send home-anniversary eCards automatically", default=False
    )
    anniversary_card = models.ForeignKey(
        ContentItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    weekly_digest = models.BooleanField("email me the week's list on Monday mornings",
                                        default=True)  # fmt: skip
    digest_sent_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account"], name="occasion_settings_once")]

    def __str__(self) -> str:
        return "Birthday and anniversary settings"
