"""Letters to print: the weekly batch of printed drips, its PDFs, and "mark printed".

The page lists the batch; its buttons post the send ids it shows, so the PDFs and
"mark printed" cover exactly those letters even when another one falls due meanwhile.
The PDFs also answer a GET with the week (the whole batch of that week, as it is now).
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.access import member_required
from crm.types import TenantRequest
from drips import printing
from prospects import mailing

ALL = "all"
WEEKS_BACK = 8


def _ids(params: QueryDict) -> list[int]:
    return [int(v) for v in params.getlist("send") if v.isdigit() and len(v) < 19]


def _this_monday(request: TenantRequest) -> date:
    today = timezone.localdate(timezone=printing.account_zone(request.account))
    return printing.week_of(today)[0]


def _week(request: TenantRequest, params: QueryDict) -> tuple[str, date | None]:
    """The chosen week as (its value in the picker, its last day); "all" is (ALL, None)."""
    wanted = params.get("week", "")
    if wanted == ALL:
        return ALL, None
    monday = _this_monday(request)
    try:
        chosen = date.fromisoformat(wanted) if wanted else monday
    except ValueError:
        chosen = monday
    start, end = printing.week_of(min(chosen, monday))
    return start.isoformat(), end


def _week_choices(request: TenantRequest) -> list[tuple[str, str]]:
    monday = _this_monday(request)
    choices = [(ALL, "Everything waiting")]
    for back in range(WEEKS_BACK):
        start = monday - timedelta(weeks=back)
        end = start + timedelta(days=6)
        span = f"{start:%b} {start.day} to {end:%b} {end.day}"
        label = "This week" if back == 0 else "Last week" if back == 1 else "Week"
        choices.append((start.isoformat(), f"{label} ({span})"))
    return choices


def _batch(request: TenantRequest) -> tuple[str, printing.Batch]:
    """The batch a request asks for: the ids a page posted, or the week of a GET."""
    params = request.POST if request.method == "POST" else request.GET
    week, through = _week(request, params)
    only = _ids(params) if request.method == "POST" else None
    return week, printing.batch(request.account.pk, through=through, only=only)


def _page_url(week: str) -> str:
    return f"{reverse('letters_to_print')}?{urlencode({'week': week})}"


@member_required()
@require_GET
def letters_to_print(request: TenantRequest) -> HttpResponse:
    week, found = _batch(request)
    return render(
        request,
        "drips/print/letters.html",
        {
            "batch": found,
            "doubled": found.doubled,
            "week": week,
            "weeks": _week_choices(request),
            "this_week": week == _this_monday(request).isoformat(),
            "sync_limit": mailing.SYNC_LIMIT,
        },
    )


def _pdf(request: TenantRequest, what: str) -> HttpResponse:
    week, found = _batch(request)
    if not found.letters:
        messages.info(request, "There is no letter to print in that batch.")
        return redirect(_page_url(week))
    # Above mailing.SYNC_LIMIT letters this still renders while the agent waits.
    if what == "letters":
        content = printing.letters_pdf(found)
    elif what == "labels":
        content = printing.labels_pdf(found)
    else:
        content = printing.envelopes_pdf(found)
    response = HttpResponse(content, content_type="application/pdf")
    name = printing.filename(what if what == "letters" else f"letter-{what}", found)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@member_required()
@require_http_methods(["GET", "POST"])
def letters_pdf(request: TenantRequest) -> HttpResponse:
    return _pdf(request, "letters")


@member_required()
@require_http_methods(["GET", "POST"])
def letters_labels_pdf(request: TenantRequest) -> HttpResponse:
    return _pdf(request, "labels")


@member_required()
@require_http_methods(["GET", "POST"])
def letters_envelopes_pdf(request: TenantRequest) -> HttpResponse:
    return _pdf(request, "envelopes")


@member_required()
@require_POST
def letters_mark_printed(request: TenantRequest) -> HttpResponse:
    week, _through = _week(request, request.POST)
    marked = printing.mark_printed(request.account.pk, _ids(request.POST), request.user)
    if marked:
        what = "letter" if marked == 1 else "letters"
        messages.success(request, f"Marked {marked} {what} printed; each person has a note.")
    else:
        messages.info(request, "Nothing to mark: those letters were marked printed already.")
    return redirect(_page_url(week))
