"""Long work in the worker with a progress bar: a registry of job kinds, one task to run them.

An app registers a handler for its kind (``register("contacts.export", run_export)``);
the handler gets the Job, calls ``progress`` as it goes, and ``finish`` with a file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from crm.celery import tenant_task
from crm.models import Account, Job, JobStatus, User

log = logging.getLogger(__name__)
Handler = Callable[[Job], None]
_HANDLERS: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    _HANDLERS[kind] = handler


def job_start(
    *,
    account: Account,
    actor: User | None,
    kind: str,
    title: str,
    params: dict[str, Any],
    total: int = 0,
) -> Job:
    """Write the job row, then hand it to the worker once the transaction commits."""
    if kind not in _HANDLERS:
        raise ValueError(f"No handler registered for job kind {kind!r}")
    job = Job.objects.create(
        account=account, kind=kind, title=title, params=params, total=total, created_by=actor
    )
    transaction.on_commit(
        lambda: run_job.delay(
            account_id=account.pk, job_id=job.pk, actor_id=actor.pk if actor else None
        )
    )
    return job


def progress(job: Job, done: int, total: int | None = None, message: str = "") -> None:
    job.done = done
    if total is not None:
        job.total = total
    if message:
        job.message = message[:300]
    Job.objects.filter(pk=job.pk).update(done=job.done, total=job.total, message=job.message)


def finish(
    job: Job, *, filename: str = "", content: bytes | None = None, message: str = ""
) -> None:
    if content is not None:
        job.result_file.save(filename, ContentFile(content), save=False)
        job.result_name = filename
    job.status = JobStatus.DONE
    job.done = job.total or job.done
    job.message = message[:300] or job.message
    job.finished_at = timezone.now()
    job.save()


@tenant_task(name="crm.run_job")
def run_job(*, account_id: int, job_id: int, actor_id: int | None = None) -> str:
    job = Job.objects.for_account(account_id).filter(pk=job_id).first()
    if job is None:
        return "gone"
    if job.is_finished:
        return job.status  # a redelivery after the work was done: nothing to do twice
    job.status = JobStatus.RUNNING
    job.save(update_fields=["status"])
    try:
        _HANDLERS[job.kind](job)
    except Exception as exc:  # the job shows the failure; the worker keeps going
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, message=f"Failed: {exc}"[:300], finished_at=timezone.now()
        )
        return "failed"
    if Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).exists():
        finish(job)
    return "done"
