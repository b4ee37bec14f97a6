"""Drip sequences: enrolling people, pausing, stopping, and the step that falls due.

Beat calls ``run_due`` every minute. Each due enrollment is locked with SKIP LOCKED (two
workers never take the same one); the step's Send row is written in the same
transaction that moves the enrollment on, unique per enrollment and step, and an email
is delivered afterwards by its own late-acknowledged task that finds the row still
queued, so nothing goes out twice. Emails wait for the sending window (weekdays
8:00 to 18:00 in the account's time zone) and for the 7-day cap per person across all
sequences; anyone the reachability rules refuse is skipped with the reason."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from contacts.models import Contact, Email
from contacts.reachability import Channel, reach
from contacts.services import task_create
from crm.models import User
from drips.models import (
    Enrollment,
    EnrollmentStatus,
    Send,
    SendStatus,
    Sequence,
    Step,
    StepKind,
)

WINDOW_START, WINDOW_END = time(8, 0), time(18, 0)
BATCH = 500


def cap_days() -> int:
    return int(getattr(settings, "DRIPS_EMAIL_CAP_DAYS", 7))


def enroll(
    *, people: Iterable[Contact], sequence: Sequence, actor: User | None, start_at: int = 1
) -> int:
    """Put people on the sequence from step ``start_at`` (its delay counts from now);
    anyone already active on it is left as they are. Returns how many were enrolled."""
    steps = {s.position: s for s in sequence.steps.all()}
    if start_at not in steps:
        return 0
    due = timezone.now() + timedelta(days=steps[start_at].delay_days)
    if start_at == min(steps):
        due = timezone.now()  # the first step goes at the next run (in the window)
    active = set(
        Enrollment.objects.for_account(sequence.account_id)
        .filter(sequence=sequence, status__in=[EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED])
        .values_list("contact_id", flat=True)
    )
    made = [
        Enrollment(
            account_id=sequence.account_id,
            contact=person,
            sequence=sequence,
            next_position=start_at,
            next_due_at=due,
            created_by=actor,
        )
        for person in people
        if person.pk not in active
    ]
    Enrollment.objects.bulk_create(made)
    return len(made)


def set_status(enrollment: Enrollment, status: str, reason: str = "") -> Enrollment:
    enrollment.status = status
    enrollment.stopped_reason = reason[:200]
    if status == EnrollmentStatus.ACTIVE and enrollment.next_due_at is None:
        enrollment.next_due_at = timezone.now()
    enrollment.save(update_fields=["status", "stopped_reason", "next_due_at"])
    return enrollment


def stop_all(contact: Contact, reason: str) -> int:
    """Every running drip of the person stops (unsubscribe, complaint, "stop all")."""
    return (
        Enrollment.objects.for_account(contact.account_id)
        .filter(contact=contact, status__in=[EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED])
        .update(status=EnrollmentStatus.STOPPED, stopped_reason=reason[:200])
    )


# ---- the due step ------------------------------------------------------------------------------


def _zone(enrollment: Enrollment) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(enrollment.account.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def next_window(now: datetime, zone: zoneinfo.ZoneInfo) -> datetime | None:
    """None when ``now`` is inside the sending window, else when it next opens."""
    local = now.astimezone(zone)
    if local.weekday() < 5 and WINDOW_START <= local.time() < WINDOW_END:
        return None
    day = local.date() if local.time() < WINDOW_START else local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, WINDOW_START, tzinfo=zone)


def _last_emails(account_id: int, contact_ids: Iterable[int]) -> dict[int, datetime]:
    """When each person's last automated email went (or was queued to go) out."""
    from django.db.models import Max
    from django.db.models.functions import Coalesce

    rows = (
        Send.objects.for_account(account_id)
        .filter(contact_id__in=list(contact_ids), kind=StepKind.EMAIL,
                status__in=[SendStatus.SENT, SendStatus.QUEUED])
        .values("contact_id").annotate(at=Max(Coalesce("sent_at", "created_at"))).order_by()
    )  # fmt: skip
    return {row["contact_id"]: row["at"] for row in rows}


class _Batch:
    """What one pass over a batch of due enrollments (one account) reads once: the steps
    of their sequences, the people with their emails, addresses and categories, the sends
    already written, and each person's last automated email."""

    def __init__(self, account_id: int, enrollments: list[Enrollment]) -> None:
        sequence_ids = {e.sequence_id for e in enrollments}
        self.steps: dict[int, list[Step]] = {}
        for step in (
            Step.objects.for_account(account_id).filter(sequence_id__in=sequence_ids)
            .select_related("content").order_by("position")
        ):  # fmt: skip
            self.steps.setdefault(step.sequence_id, []).append(step)
        contact_ids = {e.contact_id for e in enrollments}
        self.people = {
            c.pk: c
            for c in Contact.objects.for_account(account_id).filter(pk__in=contact_ids)
            .prefetch_related("emails", "addresses", "categories")
        }  # fmt: skip
        self.done = set(
            Send.objects.for_account(account_id)
            .filter(enrollment_id__in=[e.pk for e in enrollments])
            .values_list("enrollment_id", "step_id")
        )
        self.last_email = _last_emails(account_id, contact_ids)

    def step_at(self, enrollment: Enrollment, position: int) -> Step | None:
        return next((s for s in self.steps.get(enrollment.sequence_id, [])
                     if s.position == position), None)  # fmt: skip

    def after(self, step: Step) -> Step | None:
        return next((s for s in self.steps.get(step.sequence_id, [])
                     if s.position > step.position), None)  # fmt: skip


def _advance(enrollment: Enrollment, following: Step | None, now: datetime) -> None:
    if following is None:
        enrollment.status, enrollment.next_due_at = EnrollmentStatus.DONE, None
    else:
        enrollment.next_position = following.position
        enrollment.next_due_at = now + timedelta(days=following.delay_days)


def _take(enrollment: Enrollment, batch: _Batch, now: datetime, zone: zoneinfo.ZoneInfo
          ) -> Send | None:  # fmt: skip
    """The enrollment's due step, in memory: the Send to write (None when it must wait
    or is finished); the enrollment is moved on or rescheduled."""
    step = batch.step_at(enrollment, enrollment.next_position)
    if step is None:
        enrollment.status, enrollment.next_due_at = EnrollmentStatus.DONE, None
        return None
    if (enrollment.pk, step.pk) in batch.done:  # done before a crash: move on, do not redo
        _advance(enrollment, batch.after(step), now)
        return None
    contact = batch.people[enrollment.contact_id]
    if step.kind == StepKind.EMAIL:
        last = batch.last_email.get(contact.pk)
        capped = last + timedelta(days=cap_days()) if last else None
        waits = [t for t in (next_window(now, zone), capped) if t and t > now]
        if waits:  # outside the window, or emailed by any drip in the last 7 days
            enrollment.next_due_at = max(waits)
            return None
    send = Send(account_id=enrollment.account_id, enrollment=enrollment, step=step,
                contact=contact, kind=step.kind, created_at=now)  # fmt: skip
    channels: dict[str, str] = {StepKind.EMAIL: Channel.EMAIL, StepKind.LETTER: Channel.LETTER}
    channel = channels.get(step.kind)
    found = reach(contact, channel, automated=True) if channel else None
    if found is not None and not found.ok:
        send.status, send.reason = SendStatus.SKIPPED, found.reason
    elif step.kind == StepKind.EMAIL:
        target: Email = found.target  # type: ignore[union-attr]
        send.status, send.to_address = SendStatus.QUEUED, target.address
        send.dispatched_at = timezone.now()
        batch.last_email[contact.pk] = now  # a second drip due for them waits its week
    elif step.kind == StepKind.LETTER:
        send.status = SendStatus.TO_PRINT
    else:
        task_create(account_id=enrollment.account_id, title=step.task_title or "Follow up",
                    due_on=timezone.localdate(), actor=None, about=contact,
                    notes=f"From the drip “{enrollment.sequence}”.")  # fmt: skip
        send.status, send.sent_at = SendStatus.DONE, now
    _advance(enrollment, batch.after(step), now)
    return send


CHUNK = 50  # emails per delivery task


def dispatch_on_commit(sends: list[Send]) -> None:
    """Hand the queued emails to the worker once the rows are committed, a chunk a task."""
    from drips.tasks import deliver_emails

    by_account: dict[int, list[int]] = {}
    for send in sends:
        if send.status == SendStatus.QUEUED:
            by_account.setdefault(send.account_id, []).append(send.pk)
    chunks = [
        (account_id, ids[start : start + CHUNK])
        for account_id, ids in by_account.items()
        for start in range(0, len(ids), CHUNK)
    ]

    def hand_over() -> None:
        for account_id, chunk in chunks:
            deliver_emails.delay(account_id=account_id, send_ids=chunk)

    if chunks:
        transaction.on_commit(hand_over)


def requeue_after() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "DRIPS_REQUEUE_SECONDS", 600)))


def requeue_stale(now: datetime) -> int:
    """Hand over again the queued emails a worker took and never finished (it was killed
    mid-chunk). A delivery task claims its rows first (``claimed_at``), so emails still
    waiting in the broker are left alone; rows never claimed for longer than the broker's
    own redelivery time are handed over too. Delivery locks each row, so a second task
    for an email already sent does nothing."""
    from crm.tenancy import rls_bypass

    cutoff = now - requeue_after()
    unclaimed = now - timedelta(seconds=int(getattr(settings, "DRIPS_UNCLAIMED_SECONDS",
                                                    13 * 3600)))  # fmt: skip
    with rls_bypass():
        stale = Send.objects.filter(status=SendStatus.QUEUED).filter(
            Q(claimed_at__lt=cutoff)
            | Q(claimed_at__isnull=True, dispatched_at__lt=unclaimed)
            | Q(claimed_at__isnull=True, dispatched_at__isnull=True, created_at__lt=cutoff)
        )
        rows = list(stale.order_by("pk")[:5000])
        Send.objects.filter(pk__in=[s.pk for s in rows]).update(dispatched_at=now,
                                                                 claimed_at=None)  # fmt: skip
    with transaction.atomic():
        dispatch_on_commit(rows)
    return len(rows)


def due(now: datetime) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, next_due_at__lte=now)


def run_due(now: datetime | None = None, limit: int = BATCH, budget: float = 45.0) -> int:
    """Due enrollments (all accounts), a batch per account and transaction, until none is
    left or ``budget`` seconds have gone (the next beat goes on)."""
    import time as clock

    started = clock.monotonic()
    taken = 0
    while True:
        done, handled, seen = _run_batch(now or timezone.now(), limit)
        taken += done
        if seen < limit or handled == 0 or clock.monotonic() - started > budget:
            return taken


def _run_batch(now: datetime, limit: int) -> tuple[int, int, int]:
    """(steps taken, enrollments handled, due enrollments seen)."""
    from crm.tenancy import rls_bypass, tenant_context

    with rls_bypass():
        ids = list(due(now).order_by("next_due_at").values_list("pk", "account_id")[:limit])
    by_account: dict[int, list[int]] = {}
    for pk, account_id in ids:
        by_account.setdefault(account_id, []).append(pk)
    taken = handled = 0
    for account_id, pks in by_account.items():
        with tenant_context(account_id), transaction.atomic():
            enrollments = list(
                due(now).select_for_update(skip_locked=True, of=("self",))
                .select_related("account", "sequence").filter(pk__in=pks).order_by("pk")
            )  # fmt: skip
            if not enrollments:
                continue  # another pass has them
            handled += len(enrollments)
            batch = _Batch(account_id, enrollments)
            zone = _zone(enrollments[0])
            sends = [s for e in enrollments if (s := _take(e, batch, now, zone)) is not None]
            Send.objects.bulk_create(sends)
            Enrollment.objects.bulk_update(
                enrollments, ["status", "next_position", "next_due_at"]
            )  # the send rows are the log of what the beat did; no audit row per step
            dispatch_on_commit(sends)
            taken += len(sends)
    return taken, handled, len(ids)
