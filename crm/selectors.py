"""Reads of the core, always through the account."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.utils import timezone

from crm import category_links
from crm.audit_display import describe
from crm.filters import AuditFilter
from crm.models import Account, AuditEntry, Category, Invitation, Membership, Task


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


def dashboard_summary(*, account: Account, membership: Membership) -> dict[str, Any]:
    """The landing page: the apps' panels, tasks due, the team, what changed lately."""
    from crm import dashboard

    return {
        "panels": dashboard.panels(account, membership),
        "tasks_due": tasks_due(account=account),
        "category_count": Category.objects.for_account(account).count(),
        "member_count": Membership.objects.filter(account=account).count(),
        "recent": describe(
            list(
                AuditEntry.objects.for_account(account).select_related("actor", "content_type")[:8]
            )
        ),
    }


def tasks_due(*, account: Account, limit: int = 8) -> list[Task]:
    """Open tasks due today or earlier, oldest first."""
    return list(
        Task.objects.for_account(account)
        .filter(done_at__isnull=True, due_on__lte=timezone.localdate())
        .select_related("assigned_to")[:limit]
    )


def task_list(*, account: Account, show: str) -> QuerySet[Task]:
    tasks = Task.objects.for_account(account).select_related("assigned_to", "related_type")
    if show == "done":
        return tasks.filter(done_at__isnull=False).order_by("-done_at")
    return tasks.filter(done_at__isnull=True)


def account_owners(account: Account | int) -> list[Any]:
    """The account's active owners, the first one who joined first: who the agent is for
    alerts, signatures, the hotline and the flyer."""
    return [
        m.user
        for m in Membership.objects.for_account(account)
        .filter(role="owner", user__is_active=True)
        .select_related("user")
        .order_by("created_at", "pk")
    ]


def account_owner(account: Account | int) -> Any:
    owners = account_owners(account)
    return owners[0] if owners else None
