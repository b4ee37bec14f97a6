"""Feed pages: the inbox of received messages, one message (viewed safely) with parse
again and a prospect made by hand, the settings with the feed address and a test lead,
and the HTTP endpoint lead services and mail servers post raw messages to."""

from __future__ import annotations

import hmac

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.access import member_required, tenant_get
from crm.forms import add_service_errors
from crm.tenancy import tenant_context
from crm.types import TenantRequest
from emailfeed import ingest as feed_ingest
from emailfeed import processing, testlead
from emailfeed.forms import FeedSettingsForm, ManualLeadForm
from emailfeed.mail import read
from emailfeed.models import InboundMessage, MessageStatus, Showing, Via
from emailfeed.sanitise import safe_html

PAGE = 50
LABELS = {
    "mls_number": "MLS number",
    "lead_type": "Lead type",
    "property_address": "Property",
    "showing_start": "Showing at",
    "agent_name": "Showing agent",
    "agent_email": "Agent email",
    "agent_phone": "Agent phone",
}


@member_required()
@require_GET
def inbox(request: TenantRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = InboundMessage.objects.for_account(request.account).defer("raw", "extracted")
    if status in MessageStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows.select_related("contact").order_by("-received_at", "-id"), PAGE)
    counts = processing.by_status(request.account.pk)
    return render(
        request,
        "emailfeed/inbox.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "status": status,
            "statuses": [(v, label, counts.get(v, 0)) for v, label in MessageStatus.choices],
            "feed": feed_ingest.feed_settings(request.account.pk),
            "query": f"status={status}" if status else "",
        },
    )


@member_required()
@require_GET
def message_detail(request: TenantRequest, pk: int) -> HttpResponse:
    message = tenant_get(request, InboundMessage, pk)
    mail = read(bytes(message.raw))
    response = render(
        request,
        "emailfeed/message.html",
        {
            "message": message,
            "mail": mail,
            "safe_html": safe_html(mail.html) if mail.html else "",
            "extracted": [
                (LABELS.get(k, k.replace("_", " ").capitalize()), v)
                for k, v in (message.extracted or {}).items()
                if v not in (None, "") and k not in ("kind", "parser")
            ],
            "showings": Showing.objects.for_account(request.account).filter(message=message),
        },
    )
    # Defence in depth for the message shown: nothing remote loads, nothing runs.
    response["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'"
    )
    return response


@member_required()
@require_POST
def parse_again(request: TenantRequest, pk: int) -> HttpResponse:
    message = tenant_get(request, InboundMessage, pk)
    if message.status in (MessageStatus.LEAD_CREATED, MessageStatus.LEAD_UPDATED,
                          MessageStatus.SHOWING):  # fmt: skip
        messages.info(request, "This message already made its lead or showing.")
        return redirect(message.get_absolute_url())
    message = processing.process(message)
    outcome = f"Parsed again: {message.get_status_display().lower()}."
    if message.status in (MessageStatus.UNRECOGNISED, MessageStatus.FAILED):
        messages.warning(request, outcome + " Make a prospect by hand, or set it aside.")
    else:
        messages.success(request, outcome)
    return redirect(message.get_absolute_url())


@member_required()
@require_POST
def set_aside(request: TenantRequest, pk: int) -> HttpResponse:
    """ "Not a lead": an unreadable message leaves the queue (it stays in the inbox)."""
    message = tenant_get(request, InboundMessage, pk)
    if message.status in (MessageStatus.UNRECOGNISED, MessageStatus.FAILED, MessageStatus.PENDING):
        message.status = MessageStatus.IGNORED
        message.save(update_fields=["status"])
        messages.success(request, "Set aside as not a lead.")
    return redirect("feed_inbox")


@member_required()
@require_http_methods(["GET", "POST"])
def manual_lead(request: TenantRequest, pk: int) -> HttpResponse:
    """A prospect from a message no parser could read, typed in by hand."""
    message = tenant_get(request, InboundMessage, pk)
    mail = read(bytes(message.raw))
    found = message.extracted or {}
    initial = {
        "first_name": found.get("first_name") or "",
        "last_name": found.get("last_name") or "",
        "email": found.get("email")
        or (mail.from_address if "noreply" not in mail.from_address else ""),
        "phone": found.get("phone") or "",
        "property_address": found.get("property_address") or "",
        "message": found.get("message") or mail.text[:2000],
        "source": found.get("source") or message.source or "",
    }
    form = ManualLeadForm(request.POST or None, initial=initial, account_id=request.account.pk)
    if request.method == "POST" and form.is_valid():
        try:
            person, created = processing.prospect_by_hand(
                message, form.cleaned_data, actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if created:
                messages.success(request, f"{person} is now a prospect.")
            else:
                messages.info(
                    request, f"{person} was already here (same email or phone): noted there."
                )
            return redirect(person.get_absolute_url())
    return render(request, "emailfeed/manual_lead.html", {"form": form, "message": message})


@member_required()
@require_http_methods(["GET", "POST"])
def feed_settings(request: TenantRequest) -> HttpResponse:
    feed = feed_ingest.feed_settings(request.account.pk)
    can_edit = request.membership.can_manage_users
    form = FeedSettingsForm(request.POST or None, instance=feed)
    if request.method == "POST" and can_edit and form.is_valid():
        form.save()
        messages.success(request, "Saved.")
        return redirect("feed_settings")
    from django.conf import settings as django_settings
    from django.urls import reverse

    endpoint = django_settings.SITE_URL.rstrip("/") + reverse("feed_inbound", args=[feed.token])
    return render(
        request,
        "emailfeed/settings.html",
        {"feed": feed, "form": form, "can_edit": can_edit, "endpoint": endpoint},
    )


@member_required()
@require_POST
def send_test_lead(request: TenantRequest) -> HttpResponse:
    raw = testlead.build(request.account, request.user)
    message, _ = feed_ingest.ingest(request.account.pk, raw, Via.TEST)
    messages.success(request, "Test lead sent to your feed: here is how it was read.")
    return redirect(message.get_absolute_url())


@csrf_exempt
@require_POST
def inbound(request: HttpRequest, token: str) -> HttpResponse:
    """POST a raw RFC 822 message here with ``Authorization: Bearer <secret>``."""
    feed = feed_ingest.feed_for_token(token)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    given = given or request.headers.get("X-Feed-Secret", "")
    if feed is None or not given or not hmac.compare_digest(given, feed.secret):
        return JsonResponse({"error": "Unknown feed or wrong secret."}, status=403)
    chunks, size = [], 0
    while chunk := request.read(1 << 20):
        size += len(chunk)
        if size <= feed_ingest.MAX_STORED + (1 << 20):
            chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return JsonResponse({"error": "The body is empty: post the raw message."}, status=400)
    with tenant_context(feed.account_id):
        message, new = feed_ingest.ingest(feed.account_id, raw, Via.HTTP)
        if message.size < size:
            InboundMessage.objects.filter(pk=message.pk).update(size=size, oversize=True)
    return JsonResponse({"id": message.pk, "duplicate": not new}, status=202 if new else 200)
