"""People: the contacts and prospects databases, and everything a person record has.

Every child row (phone, email, address, note, category link) carries its own
``account`` like the person does.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from crm.models import Category, TenantModel, TenantQuerySet


class Database(models.TextChoices):
    CONTACTS = "contacts", "Contacts"
    PROSPECTS = "prospects", "Prospects"


class PhoneStatus(models.TextChoices):
    OK = "ok", "OK"
    BAD = "bad", "BAD (disconnected)"
    DNC = "dnc", "DNC (do not call)"


class EmailStatus(models.TextChoices):
    OK = "ok", "OK"
    OPTED_OUT = "opted_out", "Opted out"
    COMPLAINT = "complaint", "Complaint"
    HARD_BOUNCE = "hard_bounce", "Hard bounce"


class AddressStatus(models.TextChoices):
    OK = "ok", "OK"
    RETURNED = "returned", "Returned mail"


class ContactQuerySet(TenantQuerySet):
    def alive(self) -> ContactQuerySet:
        """Not in the trash."""
        return self.filter(deleted_at__isnull=True)

    def in_trash(self) -> ContactQuerySet:
        return self.filter(deleted_at__isnull=False)


# Partial indexes cover what lists read: people not in the trash.
_ALIVE = Q(deleted_at__isnull=True)


def month_day(value: Any) -> int | None:
    """A date as MMDD (1231), so birthdays and anniversaries are found in SQL by range."""
    return None if value is None else value.month * 100 + value.day


class Contact(TenantModel):
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    salutation = models.CharField(
        "mailing salutation",
        max_length=160,
        blank=True,
        help_text="How letters are addressed, e.g. “Jack & Sandy Smith”.",
    )
    spouse = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="spouse or partner",
    )  # fmt: skip
    company = models.CharField(max_length=120, blank=True)
    vendor_type = models.CharField(
        max_length=80, blank=True, help_text="For vendors, e.g. “Electrician”."
    )
    birthday = models.DateField(null=True, blank=True)
    home_anniversary = models.DateField("home-purchase anniversary", null=True, blank=True)
    how_met = models.CharField("how we met", max_length=200, blank=True)
    referred_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    lead_source = models.CharField(max_length=80, blank=True)
    database = models.CharField(max_length=16, choices=Database.choices, default=Database.CONTACTS)
    categories = models.ManyToManyField(
        Category, through="ContactCategory", related_name="contacts", blank=True
    )
    last_contacted_at = models.DateTimeField(null=True, blank=True)
    deceased_on = models.DateField(null=True, blank=True)
    stop_automations = models.BooleanField(
        "stop all automations", default=False, help_text="No drips, eCards or automated texts."
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Set when this record was merged into another; its URL redirects there.",
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Derived, kept by the services: what search and the birthday filters read.
    search_text = models.TextField(blank=True, default="", editable=False)
    birthday_md = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    anniversary_md = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[Any] = ContactQuerySet.as_manager()

    audit_exclude: ClassVar[set[str]] = {"search_text", "birthday_md", "anniversary_md"}

    class Meta:
        indexes = [
            # The call-down indexes (NULLS FIRST) are Postgres-only: see migration 0004.
            models.Index(
                "account",
                "database",
                "last_name",
                "first_name",
                "id",
                name="contact_name",
                condition=_ALIVE,
            ),
            models.Index(
                "account", "database", "created_at", "id", name="contact_created", condition=_ALIVE
            ),
            models.Index(fields=["account", "birthday_md"], name="contact_birthday"),
            models.Index(fields=["account", "anniversary_md"], name="contact_anniversary"),
            models.Index(fields=["account", "deleted_at"], name="contact_trash"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.company or "(no name)"

    def get_absolute_url(self) -> str:
        return reverse("contact_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_deceased(self) -> bool:
        return self.deceased_on is not None

    @property
    def in_trash(self) -> bool:
        return self.deleted_at is not None

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.birthday_md = month_day(self.birthday)
        self.anniversary_md = month_day(self.home_anniversary)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "birthday_md", "anniversary_md"}
        super().save(*args, **kwargs)


class ContactCategory(TenantModel):
    """A person's category; a row of its own so it carries ``account`` like every child row."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="category_links")
    audit_parent: ClassVar[str | None] = "contact"
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="contact_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "category"], name="contact_category_unique")
        ]
        indexes = [models.Index(fields=["account", "category"], name="contact_category_by_cat")]

    def __str__(self) -> str:
        return f"{self.contact} in {self.category}"


class PhoneLabel(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    HOME = "home", "Home"
    WORK = "work", "Work"
    OTHER = "other", "Other"


class Phone(TenantModel):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    audit_parent: ClassVar[str | None] = "contact"
    audit_exclude: ClassVar[set[str]] = {"digits", "position"}
    label = models.CharField(max_length=16, choices=PhoneLabel.choices, default=PhoneLabel.MOBILE)
    raw = models.CharField("number as typed", max_length=40)
    e164 = models.CharField(
        max_length=20, blank=True, help_text="Empty when the number could not be understood."
    )
    digits = models.CharField(max_length=40, blank=True, editable=False)
    status = models.CharField(max_length=8, choices=PhoneStatus.choices, default=PhoneStatus.OK)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["account", "digits"], name="phone_digits"),
            models.Index(fields=["account", "status"], name="phone_status"),
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        from contacts.phones import format_national

        return format_national(self.e164) if self.e164 else self.raw

    @property
    def is_parsed(self) -> bool:
        return bool(self.e164)


class EmailLabel(models.TextChoices):
    PERSONAL = "personal", "Personal"
    WORK = "work", "Work"
    OTHER = "other", "Other"


class Email(TenantModel):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    audit_parent: ClassVar[str | None] = "contact"
    audit_exclude: ClassVar[set[str]] = {"position", "soft_bounces"}
    label = models.CharField(max_length=16, choices=EmailLabel.choices, default=EmailLabel.PERSONAL)
    address = models.EmailField(max_length=254)
    status = models.CharField(max_length=12, choices=EmailStatus.choices, default=EmailStatus.OK)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Soft bounces (mailbox full, server down) since the last email that got through;
    # at the account's limit the address counts as a hard bounce.
    soft_bounces = models.PositiveSmallIntegerField(default=0, editable=False)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["account", "address"], name="email_address"),
            models.Index(fields=["account", "status"], name="email_status"),
        ]

    def __str__(self) -> str:
        return self.address


class AddressLabel(models.TextChoices):
    HOME = "home", "Home"
    WORK = "work", "Work"
    OTHER = "other", "Other"


class Address(TenantModel):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="addresses")
    audit_parent: ClassVar[str | None] = "contact"
    audit_exclude: ClassVar[set[str]] = {"position"}
    label = models.CharField(max_length=16, choices=AddressLabel.choices, default=AddressLabel.HOME)
    is_mailing = models.BooleanField("mailing address", default=True)
    street = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=60, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=60, blank=True, default="US")
    status = models.CharField(
        max_length=10, choices=AddressStatus.choices, default=AddressStatus.OK
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_mailing", "position", "id"]
        indexes = [models.Index(fields=["account", "status"], name="address_status")]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return ", ".join(p for p in (self.street_line, self.city_line) if p)

    @property
    def street_line(self) -> str:
        return f"{self.street} {self.unit}".strip() if self.unit else self.street

    @property
    def city_line(self) -> str:
        state_zip = f"{self.state} {self.postal_code}".strip()
        return ", ".join(p for p in (self.city, state_zip) if p)

    @property
    def is_complete(self) -> bool:
        return bool(self.street and self.city and (self.postal_code or self.state))


class NoteKind(models.TextChoices):
    NOTE = "note", "Note"
    CALL_CONNECTED = "call_connected", "Call: connected"
    LEFT_MESSAGE = "left_message", "Call: left message"
    NO_ANSWER = "no_answer", "Call: no answer"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    MET = "met", "Met in person"
    SYSTEM = "system", "System"


# Contact kinds that count as reaching the person: they reset the call-down clock.
MEANINGFUL_CONTACT = {
    NoteKind.CALL_CONNECTED,
    NoteKind.TEXT,
    NoteKind.EMAIL,
    NoteKind.MET,
}


class Note(TenantModel):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="notes")
    audit_parent: ClassVar[str | None] = "contact"
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=NoteKind.choices, default=NoteKind.NOTE)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["account", "contact", "-created_at"], name="note_by_contact")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.body[:60]}"


class SmartList(TenantModel):
    """A saved filter of the contacts list, shown in the sidebar with its count."""

    name = models.CharField(max_length=80)
    query = models.TextField(help_text="The list's filter, as a URL query string.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="smartlist_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
