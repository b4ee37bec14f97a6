"""Mailings: choose who (a smart list, a category or the contacts filter) and what (mailing
or email CSV, labels or envelopes), see who is left out and why, preview, export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from contacts.models import SmartList
from contacts.selectors import smart_lists
from crm.access import category_get, member_required, tenant_get
from crm.models import Category
from crm.types import TenantRequest
from prospects import mailing
from prospects.mailing import Output, Source

SOURCES = [
    ("query", "The contacts list as filtered"),
    ("smart", "A smart list"),
    ("category", "A category"),
]
PREVIEW_ENVELOPES = 3


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _choice(request: TenantRequest, params: QueryDict) -> dict[str, Any]:
    """The page's choices from GET or POST; another account's list or category is a 404."""
    smart_id, category_id = _int(params.get("smart")), _int(params.get("category"))
    query = params.get("query", "")
    kind = params.get("source", "")
    if kind not in dict(SOURCES):
        kind = "smart" if smart_id else "category" if category_id else "query"
    output = params.get("output", "")
    if output not in dict(mailing.OUTPUT_CHOICES):
        output = Output.MAILING_CSV
    source: Source | None = None
    if kind == "smart" and smart_id is not None:
        source = Source(smart=tenant_get(request, SmartList, smart_id))
    elif kind == "category" and category_id is not None:
        source = Source(category=category_get(request, category_id))
    elif kind == "query":
        source = Source(query=query)
    keep = QueryDict(mutable=True)
    keep.update({"source": kind, "output": output})
    if kind == "smart" and smart_id is not None:
        keep["smart"] = str(smart_id)
    elif kind == "category" and category_id is not None:
        keep["category"] = str(category_id)
    elif query:
        keep["query"] = query
    return {
        "kind": kind,
        "output": output,
        "query": query,
        "smart_id": smart_id,
        "category_id": category_id,
        "source": source,
        "keep": keep,
    }


@member_required("can_export")
@require_http_methods(["GET", "POST"])
def mailing_page(request: TenantRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    choice = _choice(request, params)
    source: Source | None = choice["source"]
    output: str = choice["output"]
    if request.method == "POST":
        return _start(request, choice)
    breakdown = None
    if source is not None:
        people = mailing.source_people(account=request.account, source=source)
        breakdown = mailing.mailing_breakdown(people, output=output)
    context = {
        **choice,
        "sources": SOURCES,
        "outputs": mailing.OUTPUT_CHOICES,
        "smart_lists": smart_lists(account=request.account),
        "categories": list(Category.objects.for_account(request.account)),
        "breakdown": breakdown,
        "is_pdf": output in mailing.PDF_OUTPUTS,
        "sync_limit": mailing.SYNC_LIMIT,
        "list_url": f"{reverse('contact_list')}?{choice['query']}",
    }
    return render(request, "prospects/mailing/page.html", context)


def _start(request: TenantRequest, choice: dict[str, Any]) -> HttpResponse:
    back = f"{reverse('mailing')}?{choice['keep'].urlencode()}"
    source: Source | None = choice["source"]
    if source is None:
        messages.error(request, "Choose a smart list or a category first.")
        return redirect(back)
    output: str = choice["output"]
    people = mailing.source_people(account=request.account, source=source)
    ids = mailing.mailing_ids(people, account=request.account, output=output)
    if not ids:
        messages.error(request, "Nobody in this choice can be included.")
        return redirect(back)
    if output in mailing.PDF_OUTPUTS and len(ids) <= mailing.SYNC_LIMIT:
        pdf = mailing.pdf_for(output=output, account=request.account, actor=request.user, ids=ids)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{mailing.filename_for(output)}"'
        return response
    job = mailing.mailing_start(
        account=request.account,
        actor=request.user,
        ids=ids,
        output=output,
        can_see_income=request.membership.can_see_income,
    )
    return redirect("job_detail", pk=job.pk)


@member_required("can_export")
@require_GET
def mailing_preview(request: TenantRequest) -> HttpResponse:
    """The first sheet of labels (or the first envelopes) on screen, and the download."""
    choice = _choice(request, request.GET)
    if choice["output"] not in mailing.PDF_OUTPUTS or choice["source"] is None:
        return redirect(f"{reverse('mailing')}?{choice['keep'].urlencode()}")
    return render(
        request,
        "prospects/mailing/preview.html",
        {**choice, "outputs": dict(mailing.OUTPUT_CHOICES), "per_sheet": mailing.LABELS_PER_SHEET},
    )


@xframe_options_sameorigin  # shown in the preview page's frame
@member_required("can_export")
@require_GET
def mailing_sheet(request: TenantRequest) -> HttpResponse:
    """The preview's document: the PDF's own template, first sheet only."""
    choice = _choice(request, request.GET)
    source: Source | None = choice["source"]
    output: str = choice["output"]
    if output not in mailing.PDF_OUTPUTS or source is None:
        return HttpResponse("")
    people = mailing.source_people(account=request.account, source=source)
    ids = mailing.mailing_ids(people, account=request.account, output=output)
    if output == Output.ENVELOPES:
        items = list(mailing.pieces(request.account.pk, ids[:PREVIEW_ENVELOPES]))
        html = mailing.envelopes_html(
            items, account=request.account, actor=request.user, preview=True
        )
    else:
        items = list(mailing.pieces(request.account.pk, ids[: mailing.LABELS_PER_SHEET]))
        html = mailing.labels_html(items, preview=True)
    return HttpResponse(html)
