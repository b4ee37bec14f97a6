"""The core: users, accounts (tenants), memberships, categories, invitations, audit."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, ClassVar, Self

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. Email is the login; memberships say which accounts they use."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    mobile_phone = models.CharField(
        max_length=32, blank=True, help_text="For instant lead alerts by text message."
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]


class Account(models.Model):
    """A tenant: one agent's (or one team's) database."""

    name = models.CharField(max_length=150)
    time_zone = models.CharField(max_length=64, default="America/Denver")
    default_region = models.CharField(
        "phone region",
        max_length=2,
        default="US",
        help_text="Country code for phone numbers typed without one (US, CA, GB…).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TenantQuerySet(models.QuerySet[Any]):
    def for_account(self, account: Account | int) -> Self:
        account_id = account if isinstance(account, int) else account.pk
        return self.filter(account_id=account_id)


class TenantModel(models.Model):
    """Base of every tenant-owned row: it carries its own ``account``.

    Subclasses get Postgres row-level security automatically (crm/rls.py) and
    an audit trail of every create, update and delete (crm/audit.py).
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")

    objects: ClassVar[Any] = TenantQuerySet.as_manager()

    audited: ClassVar[bool] = True
    audit_exclude: ClassVar[set[str]] = set()
    audit_parent: ClassVar[str | None] = None  # e.g. "contact": history shows on the person

    class Meta:
        abstract = True


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    PARTNER = "partner", "Partner"
    ASSISTANT = "assistant", "Assistant"


FLAG_NAMES = ("can_see_income", "can_delete", "can_export", "can_manage_users")

ROLE_PRESETS: dict[str, dict[str, bool]] = {
    Role.OWNER: dict.fromkeys(FLAG_NAMES, True),
    Role.PARTNER: {
        "can_see_income": True,
        "can_delete": True,
        "can_export": True,
        "can_manage_users": False,
    },
    Role.ASSISTANT: {
        "can_see_income": False,
        "can_delete": False,
        "can_export": False,
        "can_manage_users": False,
    },
}


class Membership(models.Model):
    """Who may use an account, and how. Row-level security also lets a user see their own."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ASSISTANT)
    can_see_income = models.BooleanField("sees income and commissions", default=False)
    can_delete = models.BooleanField("may delete records", default=False)
    can_export = models.BooleanField("may export", default=False)
    can_manage_users = models.BooleanField("manages the team", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    audited: ClassVar[bool] = True

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="membership_unique_user")
        ]
        ordering = ["account__name"]

    def __str__(self) -> str:
        return f"{self.user} in {self.account} ({self.get_role_display()})"

    def apply_role_preset(self) -> None:
        for flag, value in ROLE_PRESETS[self.role].items():
            setattr(self, flag, value)

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry() -> Any:
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS)


class Invitation(TenantModel):
    """An emailed offer to join an account; found by its unguessable token."""

    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ASSISTANT)
    can_see_income = models.BooleanField(default=False)
    can_delete = models.BooleanField(default=False)
    can_export = models.BooleanField(default=False)
    can_manage_users = models.BooleanField(default=False)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # The token is the key to join: keep it out of the activity log every member reads.
    audit_exclude: ClassVar[set[str]] = {"token"}

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["account", "email"])]

    def __str__(self) -> str:
        return self.email

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()

    def flags(self) -> dict[str, bool]:
        return {flag: getattr(self, flag) for flag in FLAG_NAMES}


class Category(TenantModel):
    """A tag on people (the book's "category"): Top100, Cold, Christmas…

    Seeded categories carry a ``key`` so the CRM's rules (DNC adds Cold, the
    yearly Cold clean-up) still find them after a rename.
    """

    name = models.CharField(max_length=80)
    key = models.SlugField(max_length=40, blank=True, default="", editable=False)
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [Lower("name")]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                "account", Lower("name"), name="category_unique_name_per_account"
            ),
            models.UniqueConstraint(
                fields=["account", "key"],
                condition=~models.Q(key=""),
                name="category_unique_key_per_account",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_system(self) -> bool:
        return bool(self.key)


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    MERGE = "merge", "Merged"


class AuditEntry(TenantModel):
    """One change to tenant data: who, when, which record, each field from what to what."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=8, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    # The record whose history shows this entry: itself, or e.g. the person a phone belongs to.
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    audited: ClassVar[bool] = False

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["account", "-created_at"]),
            models.Index(fields=["account", "subject_type", "subject_id", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    @property
    def record_type(self) -> str:
        model = self.content_type.model_class()
        name = model._meta.verbose_name if model else self.content_type.model
        return str(name).capitalize()


class Task(TenantModel):
    """Something to do, by a date, often about one record (a call, a follow-up)."""

    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the task is about, in any app (apps to the right of crm cannot be imported here).
    related_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    related_id = models.CharField(max_length=64, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [models.F("due_on").asc(nulls_last=True), "id"]
        indexes = [
            models.Index(fields=["account", "done_at", "due_on"], name="task_open_by_due"),
            models.Index(fields=["account", "related_type", "related_id"], name="task_related"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return not self.is_done and self.due_on is not None and self.due_on < timezone.localdate()


class JobStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Job(TenantModel):
    """A long piece of work (import, export, bulk send) run by the worker, with progress."""

    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    audited: ClassVar[bool] = False  # progress ticks are not changes to the account's data

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
