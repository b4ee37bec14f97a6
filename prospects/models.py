"""The prospects database: lead details on the shared person table, lead sources, open
houses, import profiles and runs, duplicate decisions and merges."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from contacts.models import Contact
from crm.models import Job, TenantModel


class LeadType(models.TextChoices):
    BUYER = "buyer", "Buyer"
    SELLER = "seller", "Seller"
    RENTER = "renter", "Renter"
    INVESTOR = "investor", "Investor"


class Stage(models.TextChoices):
    NEW = "new", "New"
    ATTEMPTED = "attempted", "Attempted"
    CONTACTED = "contacted", "Contacted"
    APPOINTMENT = "appointment", "Appointment"
    ACTIVE = "active", "Active client"
    UNDER_CONTRACT = "under_contract", "Under contract"
    CLOSED = "closed", "Closed"
    DEAD = "dead", "Dead"


DEFAULT_LEAD_SOURCES: list[tuple[str, str]] = [
    ("zillow", "Zillow"),
    ("trulia", "Trulia"),
    ("realtor_com", "Realtor.com"),
    ("website", "Website"),
    ("open_house", "Open house"),
    ("call_capture", "Call capture"),
    ("sign_call", "Sign call"),
    ("referral", "Referral"),
    ("sphere", "Sphere"),
    ("farm", "Farm"),
    ("fsbo", "FSBO"),
    ("expired", "Expired"),
    ("probate", "Probate"),
    ("pre_foreclosure", "Pre-foreclosure"),
    ("past_client", "Past client"),
]


class LeadSource(TenantModel):
    """Where leads come from; per account and editable. Seeded ones keep their ``key``."""

    name = models.CharField(max_length=80)
    key = models.SlugField(max_length=40, blank=True, default="", editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint("account", Lower("name"), name="leadsource_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PropertyAddress(models.Model):
    """The home a lead asked about, or the owner's property: not their mailing address."""

    property_street = models.CharField("property street", max_length=200, blank=True)
    property_unit = models.CharField("property unit", max_length=40, blank=True)
    property_city = models.CharField("property city", max_length=100, blank=True)
    property_state = models.CharField("property state", max_length=60, blank=True)
    property_postal_code = models.CharField("property ZIP", max_length=20, blank=True)

    class Meta:
        abstract = True

    @property
    def property_address(self) -> str:
        street = f"{self.property_street} {self.property_unit}".strip()
        state_zip = f"{self.property_state} {self.property_postal_code}".strip()
        return ", ".join(p for p in (street, self.property_city, state_zip) if p)


class Lead(TenantModel, PropertyAddress):
    """A prospect's lead details, one row per person; it stays when they are qualified."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="lead")
    lead_type = models.CharField(max_length=10, choices=LeadType.choices, blank=True)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.NEW)
    source = models.ForeignKey(
        LeadSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    inquiry = models.TextField(blank=True)
    price = models.PositiveIntegerField("price asked about", null=True, blank=True)
    mls_number = models.CharField("MLS number", max_length=30, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    imported = models.BooleanField(
        default=False, help_text="Came in a bulk import (a list to work, not a fresh inquiry)."
    )
    first_response_at = models.DateTimeField(null=True, blank=True)
    qualified_at = models.DateTimeField(null=True, blank=True)

    audit_parent: ClassVar[str | None] = "contact"

    class Meta:
        indexes = [
            models.Index(fields=["account", "stage"], name="lead_stage"),
            models.Index(fields=["account", "source"], name="lead_source"),
        ]

    def __str__(self) -> str:
        return f"Lead: {self.contact}"

    @property
    def response_time(self) -> Any:
        if self.first_response_at is None:
            return None
        return self.first_response_at - self.received_at


def _kiosk_token() -> str:
    return secrets.token_urlsafe(24)


class OpenHouse(TenantModel, PropertyAddress):
    """An open house whose kiosk link (an unguessable, revocable token) runs on an iPad."""

    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    kiosk_token = models.CharField(max_length=64, unique=True, default=_kiosk_token, editable=False)
    kiosk_revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    audit_exclude: ClassVar[set[str]] = {"kiosk_token"}

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"Open house {self.property_address} {self.starts_at:%b %-d}"

    @property
    def kiosk_open(self) -> bool:
        return self.kiosk_revoked_at is None


class WorksWithAgent(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SURE = "not_sure", "Not sure"


class Timeframe(models.TextChoices):
    NOW = "now", "Right away"
    MONTHS_3 = "3_months", "Within 3 months"
    MONTHS_6 = "6_months", "In 3 to 6 months"
    LATER = "later", "Later / just looking"


class OpenHouseVisit(TenantModel):
    open_house = models.ForeignKey(OpenHouse, on_delete=models.CASCADE, related_name="visits")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="open_house_visits")
    works_with_agent = models.CharField(max_length=10, choices=WorksWithAgent.choices, blank=True)
    timeframe = models.CharField(max_length=10, choices=Timeframe.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    audit_parent: ClassVar[str | None] = "contact"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.contact} at {self.open_house}"


class DuplicateMode(models.TextChoices):
    ALLOW = "allow", "Allow: import everyone, merge later"
    REPLACE = "replace", "Replace: update the matching person"


class ImportProfile(TenantModel):
    """A saved column mapping; each shows as its own menu item ("Import FSBO list")."""

    name = models.CharField(max_length=80)
    key = models.SlugField(max_length=40, blank=True, default="", editable=False)
    mapping = models.JSONField(default=dict, blank=True, help_text="Column header -> field key.")
    database = models.CharField(max_length=16, default="prospects")
    mode = models.CharField(
        max_length=8, choices=DuplicateMode.choices, default=DuplicateMode.ALLOW
    )
    lead_source = models.ForeignKey(
        LeadSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category_ids = models.JSONField(default=list, blank=True)
    in_menu = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint("account", Lower("name"), name="importprofile_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ImportRun(TenantModel):
    """One import of one file; what it created and replaced, so it can be undone."""

    profile = models.ForeignKey(
        ImportProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    stored_file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    options = models.JSONField(default=dict, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    audited: ClassVar[bool] = False  # progress counters; the people it writes are audited

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import of {self.filename}"


class ImportChange(TenantModel):
    """A person an import created or replaced, with the values before, for undo."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="changes")
    contact = models.ForeignKey(
        Contact, null=True, on_delete=models.SET_NULL, related_name="import_changes"
    )
    row_number = models.PositiveIntegerField()
    created = models.BooleanField()
    before = models.JSONField(default=dict, blank=True)

    audited: ClassVar[bool] = False

    class Meta:
        indexes = [models.Index(fields=["account", "run"], name="importchange_run")]

    def __str__(self) -> str:
        return f"Row {self.row_number}"


class ImportProblem(TenantModel):
    """A row an import skipped or took with a warning: the error CSV is made of these."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="problems")
    row_number = models.PositiveIntegerField()
    outcome = models.CharField(max_length=16)  # "skipped" or "imported"
    problem = models.TextField()
    cells = models.JSONField(default=list, blank=True)

    audited: ClassVar[bool] = False

    class Meta:
        ordering = ["row_number", "id"]
        indexes = [models.Index(fields=["account", "run", "row_number"], name="importproblem_run")]

    def __str__(self) -> str:
        return f"Row {self.row_number}: {self.problem[:60]}"


class DuplicateDismissal(TenantModel):
    """Two people someone said are not duplicates; the scan never pairs them again."""

    first = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="dismissal_unique_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="dismissal_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} is not {self.second_id}"


class Merge(TenantModel):
    """People merged into a survivor: what moved and what they were, so it can be undone
    for 30 days."""

    survivor = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="merges")
    absorbed_ids = models.JSONField(default=list)
    snapshot = models.JSONField(default=dict, help_text="Field values and moved rows before.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    audit_parent: ClassVar[str | None] = "survivor"
    audit_exclude: ClassVar[set[str]] = {"snapshot"}

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Merge into {self.survivor}"
