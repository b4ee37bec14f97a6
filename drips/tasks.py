"""Worker side of drips: the beat pass over due steps, and delivering one email."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from crm.celery import tenant_task
from drips import merge, outgoing, sequences, verp
from drips.models import Send, SendStatus


@shared_task
def run_due_steps() -> int:
    sequences.requeue_stale(timezone.now())
    return sequences.run_due()


def bounce_address(send: Send) -> str:
    """VERP: each email's own return path, so a bounce names its send (and person)."""
    return verp.address(send.account_id, verp.DRIP, send.pk)


@tenant_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_email(*, account_id: int, send_id: int) -> str:
    with transaction.atomic():
        send = (
            Send.objects.for_account(account_id)
            .select_for_update(skip_locked=True, of=("self",))  # nullable joins stay unlocked
            .select_related("step__content", "contact", "enrollment__sequence", "account")
            .filter(pk=send_id, status=SendStatus.QUEUED)
            .first()
        )
        if send is None:
            return "not queued"  # sent already, or another worker has it
        contact = send.contact
        email = contact.emails.filter(address=send.to_address).first()
        content = send.step.content
        if email is None or content is None:
            send.status, send.reason = SendStatus.FAILED, "The address or the letter is gone."
            send.save(update_fields=["status", "reason"])
            return "failed"
        composed = outgoing.compose(
            account=send.account, agent=merge.agent_of(send.account), contact=contact,
            email=email, kind=content.kind, subject=content.subject or content.title,
            body=content.body, return_path=bounce_address(send),
        )  # fmt: skip
        if composed.message is None:
            send.status, send.reason = SendStatus.FAILED, " ".join(composed.problems)[:200]
            send.save(update_fields=["status", "reason"])
            return "failed"
        composed.message.send()
        send.status, send.sent_at = SendStatus.SENT, timezone.now()
        send.save(update_fields=["status", "sent_at"])
    return "sent"


@tenant_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_campaign_email(*, account_id: int, recipient_id: int) -> str:
    """One bulk email again (after a soft bounce)."""
    from drips.campaigns import send_one

    return send_one(recipient_id, account_id)


@tenant_task(acks_late=True)
def process_bounce(*, account_id: int, report_id: int) -> str:
    from drips import bounces
    from drips.models import BounceReport

    with transaction.atomic():
        report = (
            BounceReport.objects.for_account(account_id)
            .select_for_update(skip_locked=True).filter(pk=report_id).first()
        )  # fmt: skip
        return "gone" if report is None else bounces.process(report)


@shared_task
def occasions_hourly() -> int:
    """Automatic birthday and anniversary eCards, and the Monday digest, per account."""
    from crm.models import Account
    from crm.tenancy import rls_bypass, tenant_context
    from drips import occasions

    with rls_bypass():
        accounts = list(Account.objects.all())
    sent = 0
    for account in accounts:
        with tenant_context(account.pk):
            sent += occasions.run_hourly(account)
    return sent
