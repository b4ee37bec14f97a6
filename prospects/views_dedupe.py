"""The duplicate review: a scan in the worker with a progress bar, then one group of
likely duplicates at a time: merge them, or say they are not duplicates."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from contacts.models import Contact
from contacts.selectors import with_row_data
from crm.access import member_required
from crm.models import JobStatus
from crm.types import TenantRequest
from prospects.dedupe import (
    duplicate_review_next,
    duplicate_scan_clusters,
    duplicate_scan_latest,
    duplicate_scan_start,
    duplicates_dismiss,
)

MAX_PEOPLE = 20


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


def _merge_url(ids: list[int]) -> str | None:
    try:
        return reverse("contact_merge") + "?" + urlencode([("ids", pk) for pk in ids])
    except NoReverseMatch:  # the merge page is another part of the app
        return None


@member_required()
@require_GET
def duplicate_review(request: TenantRequest) -> HttpResponseBase:
    job = duplicate_scan_latest(request.account)
    if job is None:  # the first visit starts the first scan
        duplicate_scan_start(account=request.account, actor=request.user)
        return redirect("duplicate_review")
    if not job.is_finished:
        template = "_scan_progress.html" if request.htmx else "review.html"
        return render(request, f"prospects/dedupe/{template}", {"job": job})
    if request.htmx:  # the scan finished while the progress bar polled: show the review
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    context: dict[str, object] = {"job": job, "failed": job.status == JobStatus.FAILED}
    if job.status == JobStatus.DONE:
        clusters = duplicate_scan_clusters(job)
        found = duplicate_review_next(request.account, clusters, _int(request.GET.get("at")))
        context.update(total=len(clusters))
        if found is not None:
            index, ids = found
            cluster = clusters[index]
            people = list(
                with_row_data(Contact.objects.for_account(request.account))
                .filter(pk__in=ids[:MAX_PEOPLE])
                .order_by("pk")
            )
            context.update(
                index=index,
                position=index + 1,
                people=people,
                ids=[p.pk for p in people],
                score=cluster["score"],
                percent=round(float(cluster["score"]) * 100),
                reasons=cluster["reasons"],
                merge_url=_merge_url([p.pk for p in people]),
            )
    return render(request, "prospects/dedupe/review.html", context)


@member_required()
@require_POST
def duplicate_scan(request: TenantRequest) -> HttpResponseBase:
    job = duplicate_scan_latest(request.account)
    if job is None or job.is_finished:
        duplicate_scan_start(account=request.account, actor=request.user)
    return redirect("duplicate_review")


@member_required()
@require_POST
def duplicate_dismiss(request: TenantRequest) -> HttpResponseBase:
    """Not duplicates: remember each pair of the group so the scan never proposes it again."""
    ids: set[int] = set()
    for raw in request.POST.getlist("ids"):
        try:
            ids.add(int(raw))
        except ValueError as exc:
            raise Http404("No such person.") from exc
    people = list(Contact.objects.for_account(request.account).filter(pk__in=ids))
    if len(people) != len(ids) or len(people) < 2:
        raise Http404("No such people.")
    duplicates_dismiss(account=request.account, actor=request.user, contacts=people)
    at = _int(request.POST.get("at"))
    return redirect(reverse("duplicate_review") + (f"?at={at}" if at else ""))
