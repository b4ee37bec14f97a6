"""Background work of the core."""

from __future__ import annotations

import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from crm.celery import tenant_task
from crm.models import Invitation
from crm.tenancy import rls_bypass


@tenant_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(*, account_id: int, invitation_id: int) -> str:
    invitation = (
        Invitation.objects.for_account(account_id)
        .select_related("account", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        return "gone"
    base = settings.SITE_URL.rstrip("/")
    context = {
        "invitation": invitation,
        "url": base + reverse("invitation_accept", args=[invitation.token]),
    }
    send_mail(
        subject=f"{invitation.invited_by or 'Your agent'} invites you to {invitation.account}",
        message=render_to_string("crm/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return "sent"


@shared_task
def purge_expired_invitations() -> int:
    """Cross-account maintenance: drop invitations that expired a week ago or more."""
    cutoff = timezone.now() - timedelta(days=7)
    with rls_bypass():
        deleted, _ = Invitation.objects.filter(
            accepted_at__isnull=True, expires_at__lt=cutoff
        ).delete()
    return deleted


@shared_task
def prune_broker_folder(max_age_hours: int = 24) -> int:
    """The filesystem broker keeps every processed message; remove old ones."""
    folder = settings.BROKER_PROCESSED_DIR
    if not folder.exists():
        return 0
    cutoff = time.time() - max_age_hours * 3600
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
