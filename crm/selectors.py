"""Reads of the core, always through the account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from crm import category_links
from crm.audit import field_label
from crm.filters import AuditFilter
from crm.models import Account, AuditEntry, Category, Invitation, Membership


def audit_list(*, account: Account, params: Any) -> AuditFilter:
    base = AuditEntry.objects.for_account(account).select_related("actor", "content_type")
    return AuditFilter(params, queryset=base, account_id=account.pk)


def record_history(*, account: Account, instance: Model, limit: int = 50) -> list[AuditEntry]:
    """The trail of one record, newest first."""
    content_type = ContentType.objects.get_for_model(type(instance), for_concrete_model=False)
    return list(
        AuditEntry.objects.for_account(account)
        .filter(subject_type=content_type, subject_id=str(instance.pk))
        .select_related("actor", "content_type")[:limit]
    )


@dataclass(frozen=True)
class ChangeLine:
    field: str
    old: Any
    new: Any


def change_lines(entry: AuditEntry) -> list[ChangeLine]:
    model = entry.content_type.model_class()
    lines = []
    for name, pair in (entry.changes or {}).items():
        old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        lines.append(ChangeLine(field=field_label(model, name), old=old, new=new))
    return lines


def category_list(*, account: Account) -> list[Category]:
    categories = list(Category.objects.for_account(account))
    counts = category_links.usage_counts(account)
    for category in categories:
        category.usage = counts.get(category.pk, 0)  # type: ignore[attr-defined]
    return categories


def team_list(*, account: Account) -> tuple[QuerySet[Membership], QuerySet[Invitation]]:
    members = (
        Membership.objects.filter(account=account)
        .select_related("user")
        .order_by("role", "user__full_name", "user__email")
    )
    invitations = Invitation.objects.for_account(account).filter(accepted_at__isnull=True)
    return members, invitations.select_related("invited_by")


def dashboard_summary(*, account: Account) -> dict[str, Any]:
    """The landing page: who is on the team, how the database looks, what changed lately."""
    from contacts.models import Contact, Database

    people = Contact.objects.for_account(account)
    return {
        "contact_count": people.filter(database=Database.CONTACTS).count(),
        "prospect_count": people.filter(database=Database.PROSPECTS).count(),
        "category_count": Category.objects.for_account(account).count(),
        "member_count": Membership.objects.filter(account=account).count(),
        "recent": list(
            AuditEntry.objects.for_account(account).select_related("actor", "content_type")[:8]
        ),
    }
