"""Bulk email and eCards: choose the item and the people, see who is left out and why,
send a test to yourself, then send (in the worker, with a progress bar)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.bulk_actions import Selection
from contacts.selectors import smart_lists
from crm.access import member_required, tenant_get
from crm.models import Category
from crm.types import TenantRequest
from drips import audience, campaigns
from drips.models import Campaign, CampaignStatus, ContentItem


def start_from_list(request: TenantRequest, selection: Selection) -> HttpResponse:
    """The people list's bulk action: on to the composer with the selection."""
    return redirect(f"{reverse('campaign_new')}?{_encode(selection.params())}")


def _encode(params: dict[str, str]) -> str:
    query = QueryDict(mutable=True)
    query.update(params)
    return query.urlencode()


@member_required()
@require_GET
def campaign_list(request: TenantRequest) -> HttpResponse:
    rows = (
        Campaign.objects.for_account(request.account)
        .filter(occasion=False)
        .select_related("job", "created_by")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "drips/campaigns.html", {"page": page})


@member_required()
@require_http_methods(["GET", "POST"])
def campaign_new(request: TenantRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    chosen = audience.from_params(request, params)
    items = campaigns.sendable_content(request.account).order_by("kind", "series", "title")
    content_id = params.get("content", "")
    content = tenant_get(request, ContentItem, int(content_id)) if content_id.isdigit() else None
    if content is not None and content.kind not in campaigns.SENDABLE_KINDS:
        content = None
    skip_cold = params.get("skip_cold", "1" if request.method == "GET" else "") == "1"
    action = request.POST.get("action", "")
    if request.method == "POST" and chosen is not None and content is not None:
        if action == "test":
            trial = campaigns.test_send(account=request.account, actor=request.user,
                                        content=content, people=chosen.people,
                                        skip_cold=skip_cold)  # fmt: skip
            if not trial.problems:
                messages.success(request, f"Test sent to {request.user.email}, filled in for "
                                          f"{trial.person}. Have a look before you send it "
                                          "to everyone.")  # fmt: skip
        elif action == "send":
            trial = campaigns.check(account=request.account, content=content,
                                    people=chosen.people, skip_cold=skip_cold)  # fmt: skip
            if not trial.problems:
                campaign = campaigns.start(account=request.account, actor=request.user,
                                           content=content, people=chosen.people,
                                           label=chosen.label, skip_cold=skip_cold)  # fmt: skip
                return redirect(campaign.get_absolute_url())
    elif request.method == "POST" and action in ("test", "send"):
        messages.error(request, "Choose what to send first.")
    breakdown = campaigns.breakdown(chosen.people, skip_cold=skip_cold) if chosen else None
    checked = (
        campaigns.check(account=request.account, content=content, people=chosen.people,
                        skip_cold=skip_cold)
        if chosen and content else None
    )  # fmt: skip
    return render(request, "drips/campaign_new.html", {
        "audience": chosen, "items": items, "content": content, "skip_cold": skip_cold,
        "breakdown": breakdown, "categories": Category.objects.for_account(request.account),
        "smart_lists": smart_lists(account=request.account), "trial": checked,
        "blocked": bool(checked and checked.problems),
    })  # fmt: skip


@member_required()
@require_GET
def campaign_detail(request: TenantRequest, pk: int) -> HttpResponse:
    campaign = tenant_get(request, Campaign, pk)
    rows = campaign.recipients.select_related("contact").order_by("status", "id")
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "drips/campaign.html", {
        "campaign": campaign, "counts": campaigns.counts(campaign),
        "reasons": campaigns.skip_reasons(campaign), "page": page,
        "sending": campaign.status == CampaignStatus.SENDING,
    })  # fmt: skip


@member_required()
@require_POST
def campaign_cancel(request: TenantRequest, pk: int) -> HttpResponse:
    campaign = tenant_get(request, Campaign, pk)
    campaigns.cancel(campaign)
    messages.info(request, "Cancelled: nothing more goes out. What was sent is listed below.")
    return redirect(campaign.get_absolute_url())
