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
BATCH = 200


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


def _last_email_at(contact: Contact) -> datetime | None:
    """When the person's last automated email went (or was queued to go) out."""
    from django.db.models.functions import Coalesce

    return (
        Send.objects.for_account(contact.account_id)
        .filter(
            contact=contact, kind=StepKind.EMAIL, status__in=[SendStatus.SENT, SendStatus.QUEUED]
        )
        .annotate(at=Coalesce("sent_at", "created_at"))
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )


def _advance(enrollment: Enrollment, step: Step, now: datetime) -> None:
    following = (
        Step.objects.filter(sequence_id=enrollment.sequence_id, position__gt=step.position)
        .order_by("position")
        .first()
    )
    if following is None:
        enrollment.status, enrollment.next_due_at = EnrollmentStatus.DONE, None
    else:
        enrollment.next_position = following.position
        enrollment.next_due_at = now + timedelta(days=following.delay_days)
    enrollment.save(update_fields=["status", "next_position", "next_due_at"])


def take_step(enrollment: Enrollment, now: datetime) -> Send | None:
    """Do the enrollment's due step (inside the caller's transaction, with the row
    locked); returns the Send written, or None when it must wait or is finished."""
    step = (
        Step.objects.filter(sequence_id=enrollment.sequence_id, position=enrollment.next_position)
        .select_related("content")
        .first()
    )
    if step is None:
        enrollment.status, enrollment.next_due_at = EnrollmentStatus.DONE, None
        enrollment.save(update_fields=["status", "next_due_at"])
        return None
    existing = Send.objects.filter(enrollment=enrollment, step=step).first()
    if existing is not None:  # done before a crash or by another run: move on, do not redo
        _advance(enrollment, step, now)
        return None
    contact = (
        Contact.objects.filter(pk=enrollment.contact_id)
        .prefetch_related("phones", "emails", "addresses", "categories")
        .get()
    )
    if step.kind == StepKind.EMAIL:
        last = _last_email_at(contact)
        capped = last + timedelta(days=cap_days()) if last else None
        waits = [t for t in (next_window(now, _zone(enrollment)), capped) if t and t > now]
        if waits:  # outside the window, or emailed by any drip in the last 7 days
            enrollment.next_due_at = max(waits)
            enrollment.save(update_fields=["next_due_at"])
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
    elif step.kind == StepKind.LETTER:
        send.status = SendStatus.TO_PRINT
    else:
        task_create(account_id=enrollment.account_id, title=step.task_title or "Follow up",
                    due_on=timezone.localdate(), actor=None, about=contact,
                    notes=f"From the drip “{enrollment.sequence}”.")  # fmt: skip
        send.status, send.sent_at = SendStatus.DONE, now
    send.save()
    _advance(enrollment, step, now)
    if send.status == SendStatus.QUEUED:
        dispatch_on_commit(send)
    return send


def dispatch_on_commit(send: Send) -> None:
    from drips.tasks import deliver_email

    account_id, pk = send.account_id, send.pk
    transaction.on_commit(lambda: deliver_email.delay(account_id=account_id, send_id=pk))


def requeue_after() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "DRIPS_REQUEUE_SECONDS", 600)))


def requeue_stale(now: datetime) -> int:
    """Hand queued emails whose delivery never finished (a worker killed mid-task, a
    broker message lost) to the worker again. Delivery checks the row under a lock, so a
    second task for an email already sent does nothing."""
    from crm.tenancy import rls_bypass
    from drips.tasks import deliver_email

    cutoff = now - requeue_after()
    with rls_bypass():
        stale = Send.objects.filter(status=SendStatus.QUEUED).filter(
            Q(dispatched_at__lt=cutoff) | Q(dispatched_at__isnull=True, created_at__lt=cutoff)
        )
        rows = list(stale.values_list("pk", "account_id")[:5000])
        Send.objects.filter(pk__in=[pk for pk, _ in rows]).update(dispatched_at=now)
    for pk, account_id in rows:
        deliver_email.delay(account_id=account_id, send_id=pk)
    return len(rows)


def due(now: datetime) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, next_due_at__lte=now)


def run_due(now: datetime | None = None, limit: int = BATCH, budget: float = 45.0) -> int:
    """Due enrollments (all accounts; each step runs in its account), a batch at a time
    until none is left or ``budget`` seconds have gone (the next beat goes on)."""
    import time as clock

    started = clock.monotonic()
    taken = 0
    while True:
        done, handled = _run_batch(now or timezone.now(), limit)
        taken += done
        if handled < limit or clock.monotonic() - started > budget:
            return taken


def _run_batch(now: datetime, limit: int) -> tuple[int, int]:
    from crm.tenancy import rls_bypass, tenant_context

    taken = handled = 0
    with rls_bypass():
        ids = list(due(now).order_by("next_due_at").values_list("pk", "account_id")[:limit])
    for pk, account_id in ids:
        with tenant_context(account_id), transaction.atomic():
            enrollment = (
                due(now).select_for_update(skip_locked=True, of=("self",))
                .select_related("account", "sequence").filter(pk=pk).first()
            )  # fmt: skip
            if enrollment is None:
                continue  # another pass has it
            handled += 1
            if take_step(enrollment, now) is not None:
                taken += 1
    return taken, handled
