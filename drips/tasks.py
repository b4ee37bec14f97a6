"""Worker side of drips: the beat pass over due steps, and delivering one email."""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from crm.celery import tenant_task
from drips import merge, sequences, unsubscribe
from drips.models import Send, SendStatus


@shared_task
def run_due_steps() -> int:
    sequences.requeue_stale(timezone.now())
    return sequences.run_due()


def bounce_address(send: Send) -> str:
    """VERP: each email's own return path, so a bounce names its send (and person)."""
    domain = getattr(settings, "EMAILFEED_DOMAIN", "leads.localhost")
    return f"bounce+{send.account_id}-{send.pk}@{domain}"


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
        agent = merge.agent_of(send.account)
        values = merge.values_for(contact, agent=agent, unsubscribe_url=unsubscribe.url_for(email))
        subject = merge.render(content.subject or content.title, values)
        body = merge.render(content.body, values)
        if not (subject.ok and body.ok):
            send.status = SendStatus.FAILED
            send.reason = " ".join(subject.problems + body.problems)[:200]
            send.save(update_fields=["status", "reason"])
            return "failed"
        _name, site_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        sender = formataddr((agent.display_name if agent else send.account.name, site_address))
        message = EmailMessage(
            subject=subject.text.replace("\n", " ")[:200],
            body=body.text,
            from_email=bounce_address(send),
            to=[email.address],
            reply_to=[agent.email] if agent else None,
            headers={"From": sender, **unsubscribe.headers_for(email)},
        )
        message.send()
        send.status, send.sent_at = SendStatus.SENT, timezone.now()
        send.save(update_fields=["status", "sent_at"])
    return "sent"
