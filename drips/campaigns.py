"""Bulk email and eCards to a category or a filter result.

Before sending: who will get it and who is left out and why (no email, opted out,
bounced, complaint, Cold when chosen), and a test to yourself. Sending is a worker job
with a progress bar: first a Recipient row per person (skipped ones with the reason),
then each waiting row is locked, sent and marked, so a job that runs again after a crash
sends only what is still waiting."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from contacts.models import Contact
from contacts.reachability import Channel, reach
from crm.jobs import finish, job_start, progress, register
from crm.models import Account, Job, User
from drips import merge, outgoing, verp
from drips.models import (
    Campaign,
    CampaignStatus,
    ContentItem,
    ContentKind,
    Recipient,
    RecipientStatus,
)

JOB_KIND = "drips.campaign"
BATCH = 500
SENDABLE_KINDS = (ContentKind.EMAIL, ContentKind.ECARD)


def _batches(people: QuerySet[Contact]) -> Iterator[list[Contact]]:
    ids = list(people.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        yield list(
            Contact.objects.filter(pk__in=ids[start : start + BATCH])
            .prefetch_related("emails", "categories", "addresses")
            .order_by("pk")
        )


@dataclass(frozen=True)
class Breakdown:
    total: int
    sending: int
    skipped: list[tuple[str, int]]  # reason, how many (most first)


def breakdown(people: QuerySet[Contact], *, skip_cold: bool) -> Breakdown:
    reasons: Counter[str] = Counter()
    total = 0
    for batch in _batches(people):
        for person in batch:
            total += 1
            found = reach(person, Channel.EMAIL, automated=skip_cold)
            if not found.ok:
                reasons[found.reason] += 1
    return Breakdown(total, total - sum(reasons.values()), reasons.most_common())


def sendable_content(account: Account) -> QuerySet[ContentItem]:
    return ContentItem.objects.for_account(account).filter(kind__in=SENDABLE_KINDS)


@dataclass(frozen=True)
class Trial:
    """The email as one real recipient would get it (None: nobody here can get it)."""

    person: Contact | None
    problems: list[str]


def _trial(*, account: Account, content: ContentItem, people: QuerySet[Contact],
           skip_cold: bool, to: str = "") -> tuple[Trial, outgoing.Composed | None]:  # fmt: skip
    sample = next((p for b in _batches(people) for p in b
                   if reach(p, Channel.EMAIL, automated=skip_cold).ok), None)  # fmt: skip
    if sample is None:
        return Trial(None, ["Nobody here can get it."]), None
    composed = outgoing.compose(
        account=account, agent=merge.agent_of(account), contact=sample,
        email=reach(sample, Channel.EMAIL).target, kind=content.kind,
        subject=f"[Test] {content.subject or content.title}", body=content.body,
        return_path=settings.DEFAULT_FROM_EMAIL, to=to, test=True,
    )  # fmt: skip
    return Trial(sample, composed.problems), composed


def check(*, account: Account, content: ContentItem, people: QuerySet[Contact],
          skip_cold: bool) -> Trial:  # fmt: skip
    """Whether it can go out: the first recipient's email put together, not sent."""
    return _trial(account=account, content=content, people=people, skip_cold=skip_cold)[0]


def test_send(*, account: Account, actor: User, content: ContentItem,
              people: QuerySet[Contact], skip_cold: bool) -> Trial:  # fmt: skip
    """The email as the first recipient will get it, to the user's own address (subject
    marked [Test], the unsubscribe link inert)."""
    trial, composed = _trial(account=account, content=content, people=people,
                             skip_cold=skip_cold, to=actor.email)  # fmt: skip
    if composed is not None and composed.message is not None:
        composed.message.send()
    return trial


def start(*, account: Account, actor: User, content: ContentItem, people: QuerySet[Contact],
          label: str, skip_cold: bool) -> Campaign:  # fmt: skip
    ids = list(people.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        campaign = Campaign.objects.create(
            account=account, content=content, kind=content.kind, title=content.title,
            subject=content.subject or content.title, body=content.body, source_label=label[:200],
            skip_cold=skip_cold, created_by=actor,
        )  # fmt: skip
        campaign.job = job_start(
            account=account, actor=actor, kind=JOB_KIND, title=f"Sending “{content.title}”",
            params={"campaign": campaign.pk, "ids": ids}, total=len(ids),
        )  # fmt: skip
        campaign.save(update_fields=["job"])
    return campaign


def counts(campaign: Campaign) -> dict[str, int]:
    rows = campaign.recipients.values("status").annotate(n=Count("pk")).order_by()
    found = {row["status"]: row["n"] for row in rows}
    return {status: found.get(status, 0) for status in RecipientStatus.values}


def skip_reasons(campaign: Campaign) -> list[tuple[str, int]]:
    rows = (
        campaign.recipients.filter(status__in=[RecipientStatus.SKIPPED, RecipientStatus.FAILED])
        .values("reason").annotate(n=Count("pk")).order_by("-n")
    )  # fmt: skip
    return [(row["reason"] or "—", row["n"]) for row in rows]


# ---- the job ---------------------------------------------------------------------------------


def _write_recipients(campaign: Campaign, ids: list[int]) -> None:
    """A row per person, once (a rerun finds them); the reachability rules decide again
    here, at send time, not when the agent looked at the counts."""
    done = set(campaign.recipients.values_list("contact_id", flat=True))
    people = Contact.objects.for_account(campaign.account_id).filter(pk__in=ids)
    rows = []
    for batch in _batches(people.exclude(pk__in=done)):
        for person in batch:
            found = reach(person, Channel.EMAIL, automated=campaign.skip_cold)
            rows.append(Recipient(
                account_id=campaign.account_id, campaign=campaign, contact=person,
                status=RecipientStatus.QUEUED if found.ok else RecipientStatus.SKIPPED,
                to_address=found.target.address if found.ok else "", reason=found.reason,
            ))  # fmt: skip
        Recipient.objects.bulk_create(rows, ignore_conflicts=True)
        rows = []


def send_one(recipient_id: int, account_id: int) -> str:
    """Send one waiting recipient (locked, so two runs never send it twice)."""
    with transaction.atomic():
        row = (
            Recipient.objects.for_account(account_id)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("campaign__account", "contact")
            .filter(pk=recipient_id, status=RecipientStatus.QUEUED).first()
        )  # fmt: skip
        if row is None:
            return "not waiting"
        campaign, contact = row.campaign, row.contact
        email = contact.emails.filter(address=row.to_address).first()
        if email is None or campaign.status == CampaignStatus.CANCELLED:
            row.status = RecipientStatus.FAILED if email is None else RecipientStatus.SKIPPED
            row.reason = "The address is gone." if email is None else "Cancelled"
            row.save(update_fields=["status", "reason"])
            return row.status
        composed = outgoing.compose(
            account=campaign.account, agent=outgoing.agent_cached(campaign.account),
            contact=contact,
            email=email, kind=campaign.kind, subject=campaign.subject, body=campaign.body,
            return_path=verp.address(account_id, verp.CAMPAIGN, row.pk),
        )  # fmt: skip
        if composed.message is None:
            row.status, row.reason = RecipientStatus.FAILED, " ".join(composed.problems)[:200]
            row.save(update_fields=["status", "reason"])
            return "failed"
        refused = outgoing.deliver(composed.message)  # over the worker's open connection
        if refused:
            row.status, row.reason = RecipientStatus.FAILED, refused[:200]
            row.save(update_fields=["status", "reason"])
            return "failed"
        row.status, row.sent_at, row.reason = RecipientStatus.SENT, timezone.now(), ""
        row.save(update_fields=["status", "sent_at", "reason"])
    return "sent"


def run_campaign_job(job: Job) -> None:
    campaign = (
        Campaign.objects.for_account(job.account_id).filter(pk=job.params["campaign"]).first()
    )
    if campaign is None:
        return
    progress(job, 0, message="Checking who can get it")
    _write_recipients(campaign, [int(pk) for pk in job.params.get("ids", [])])
    waiting = list(
        campaign.recipients.filter(status=RecipientStatus.QUEUED).values_list("pk", flat=True)
    )
    finished = campaign.recipients.exclude(status=RecipientStatus.QUEUED).count()
    total = finished + len(waiting)
    progress(job, finished, total, message="Sending")
    for n, pk in enumerate(waiting, start=1):
        if n % 50 == 0:
            campaign.refresh_from_db(fields=["status"])
            if campaign.status == CampaignStatus.CANCELLED:
                break
            progress(job, finished + n, message="Sending")
        send_one(pk, job.account_id)
    campaign.refresh_from_db(fields=["status"])
    if campaign.status == CampaignStatus.CANCELLED:
        campaign.recipients.filter(status=RecipientStatus.QUEUED).update(
            status=RecipientStatus.SKIPPED, reason="Cancelled before it went out"
        )
    else:
        campaign.status = CampaignStatus.DONE
    campaign.finished_at = timezone.now()
    campaign.save(update_fields=["status", "finished_at"])
    tally = counts(campaign)
    finish(job, message=f"Sent {tally['sent']:,}; skipped {tally['skipped']:,}; "
                        f"failed {tally['failed']:,}")  # fmt: skip


def cancel(campaign: Campaign) -> None:
    if campaign.status == CampaignStatus.SENDING:
        campaign.status = CampaignStatus.CANCELLED
        campaign.save(update_fields=["status"])


register(JOB_KIND, run_campaign_job)
