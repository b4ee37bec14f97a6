"""Worker side of drips: the beat pass over due steps, and delivering one email."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crm.celery import tenant_task
from drips import outgoing, sequences, verp
from drips.models import Send, SendStatus


@shared_task
def run_due_steps() -> int:
    sequences.requeue_stale(timezone.now())
    return sequences.run_due()


def bounce_address(send: Send) -> str:
    """VERP: each email's own return path, so a bounce names its send (and person)."""
    return verp.address(send.account_id, verp.DRIP, send.pk)


@tenant_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_emails(*, account_id: int, send_ids: list[int]) -> dict[str, int]:
    """Deliver a chunk of queued drip emails. The rows are claimed first (committed), so
    the beat pass can tell a chunk a worker died on from one still waiting in the broker;
    then each is locked, sent and marked in its own transaction."""
    claimed = claim(account_id, send_ids)
    tally: dict[str, int] = {}
    for send_id in claimed:
        outcome = deliver_one(account_id, send_id)
        tally[outcome] = tally.get(outcome, 0) + 1
    return tally


@tenant_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_email(*, account_id: int, send_id: int) -> str:
    """One drip email (a soft bounce's retry)."""
    return deliver_one(account_id, send_id) if claim(account_id, [send_id]) else "not queued"


def claim(account_id: int, send_ids: list[int]) -> list[int]:
    """Mark the still-queued rows as taken by this worker now; the ids it got."""
    now = timezone.now()
    cutoff = now - sequences.requeue_after()
    rows = Send.objects.for_account(account_id).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=cutoff),
        pk__in=send_ids, status=SendStatus.QUEUED,
    )  # fmt: skip
    with transaction.atomic():
        ids = list(rows.select_for_update(skip_locked=True).values_list("pk", flat=True))
        Send.objects.filter(pk__in=ids).update(claimed_at=now)
    return sorted(ids)


def deliver_one(account_id: int, send_id: int) -> str:
    with transaction.atomic():
        send = (
            Send.objects.for_account(account_id)
            .select_for_update(skip_locked=True, of=("self",))  # nullable joins stay unlocked
            .select_related("step__content", "contact", "account")
            .filter(pk=send_id, status=SendStatus.QUEUED)
            .first()
        )
        if send is None:
            return "not queued"  # sent already, or another worker has it
        contact = send.contact
        email = contact.emails.filter(address=send.to_address).first()
        content = send.step.content
        if email is None or content is None:
            return _failed(send, "The address or the letter is gone.")
        composed = outgoing.compose(
            account=send.account, agent=outgoing.agent_cached(send.account), contact=contact,
            email=email, kind=content.kind, subject=content.subject or content.title,
            body=content.body, return_path=bounce_address(send),
            message_id=f"drip.{send.account_id}.{send.pk}",
        )  # fmt: skip
        if composed.message is None:
            return _failed(send, " ".join(composed.problems))
        refused = outgoing.deliver(composed.message)
        if refused:
            return _failed(send, refused)
        send.status, send.sent_at = SendStatus.SENT, timezone.now()
        send.save(update_fields=["status", "sent_at"])
    return "sent"


def _failed(send: Send, reason: str) -> str:
    send.status, send.reason = SendStatus.FAILED, reason[:200]
    send.save(update_fields=["status", "reason"])
    return "failed"


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
