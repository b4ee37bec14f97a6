"""The content library (list, one item with a live preview on a real person, copy) and
the public unsubscribe page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.access import contact_get
from contacts.models import Contact
from crm.access import member_required, tenant_get
from crm.tenancy import tenant_context
from crm.types import TenantRequest
from drips import audience, merge, outgoing, sequences, unsubscribe
from drips.forms import ContentItemForm
from drips.models import (
    ContentItem,
    ContentKind,
    Enrollment,
    EnrollmentStatus,
    Send,
    SendStatus,
    Sequence,
)


@member_required()
@require_GET
def library(request: TenantRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    items = ContentItem.objects.for_account(request.account).defer("body")
    if kind in ContentKind.values:
        items = items.filter(kind=kind)
    groups: dict[str, list[ContentItem]] = {}
    for item in items.order_by("series", "title"):
        groups.setdefault(item.series or "Other", []).append(item)
    return render(
        request,
        "drips/library.html",
        {"groups": groups, "kind": kind, "kinds": ContentKind.choices},
    )


def _preview_person(request: TenantRequest) -> Contact | None:
    people = Contact.objects.for_account(request.account).alive()
    wanted = request.GET.get("person", "")
    person = people.filter(pk=int(wanted)).first() if wanted.isdigit() else None
    person = person or people.filter(addresses__isnull=False).order_by("pk").first()
    return person or people.order_by("pk").first()


@member_required()
@require_http_methods(["GET", "POST"])
def item(request: TenantRequest, pk: int) -> HttpResponse:
    content = tenant_get(request, ContentItem, pk)
    form = ContentItemForm(request.POST or None, instance=content)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved.")
        return redirect(content.get_absolute_url())
    person = _preview_person(request)
    values = merge.values_for(person, agent=merge.agent_of(request.account)) if person else {}
    subject = merge.render(form["subject"].value() or "", values)
    html = outgoing.is_html(content.kind)
    body = merge.render(form["body"].value() or "", values, html=html)
    card = outgoing.card_html(outgoing.clean_html(body.text), "#") if html else ""
    return render(
        request,
        "drips/item.html",
        {
            "item": content,
            "form": form,
            "person": person,
            "subject": subject,
            "body": body,
            "fields": merge.FIELDS,
            "card": card,
        },
    )


@member_required()
@require_POST
def copy(request: TenantRequest, pk: int) -> HttpResponse:
    content = tenant_get(request, ContentItem, pk)
    made = ContentItem.objects.create(
        account=request.account, kind=content.kind, series=content.series,
        title=f"Copy of {content.title}"[:120], subject=content.subject, body=content.body,
    )  # fmt: skip
    messages.success(request, "Copied: edit your own version here.")
    return redirect(made.get_absolute_url())


@csrf_exempt  # one-click unsubscribe posts come from mail clients, without our cookies
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    email = unsubscribe.email_for(token)
    if email is None:
        return render(request, "drips/unsubscribe.html", {"invalid": True}, status=404)
    with tenant_context(email.account_id):
        if request.method == "POST":
            unsubscribe.unsubscribe(email)
            if request.POST.get("List-Unsubscribe") == "One-Click":  # a mail client (RFC 8058)
                return HttpResponse("Unsubscribed.\n", content_type="text/plain")
            return redirect(request.path)  # a person: a refresh does not post again
        agent = merge.agent_of(email.account)
    sender = agent.display_name if agent else email.account.name
    return render(request, "drips/unsubscribe.html", {"email": email, "sender": sender})


# ---- sequences ---------------------------------------------------------------------------------


@member_required()
@require_GET
def sequence_list(request: TenantRequest) -> HttpResponse:
    from django.db.models import Count, Q

    rows = Sequence.objects.for_account(request.account).annotate(
        step_count=Count("steps", distinct=True),
        active=Count("enrollments", filter=Q(enrollments__status="active"), distinct=True),
    )
    return render(request, "drips/sequences.html", {"sequences": rows})


@member_required()
@require_GET
def sequence_detail(request: TenantRequest, pk: int) -> HttpResponse:
    from django.db.models import Count

    sequence = tenant_get(request, Sequence, pk)
    steps = list(sequence.steps.select_related("content"))
    counted = (
        Send.objects.for_account(request.account).filter(step__sequence=sequence)
        .values("step_id", "status").annotate(n=Count("pk")).order_by()
    )  # fmt: skip
    tallies: dict[int, dict[str, int]] = {}
    for row in counted:
        tallies.setdefault(row["step_id"], {})[row["status"]] = row["n"]
    labels = dict(SendStatus.choices)
    for step in steps:
        found = tallies.get(step.pk, {})
        step.tally = " · ".join(  # type: ignore[attr-defined]
            f"{found[status]:,} {labels[status].lower()}" for status in labels if status in found
        )
    enrollments = sequence.enrollments.select_related("contact").order_by("-created_at")[:100]
    return render(
        request,
        "drips/sequence.html",
        {"sequence": sequence, "steps": steps, "enrollments": enrollments},
    )


@member_required()
@require_POST
def enroll_person(request: TenantRequest, pk: int) -> HttpResponse:
    contact = contact_get(request, pk)
    sequence = tenant_get(request, Sequence, request.POST.get("sequence") or 0)
    start = request.POST.get("start", "1")
    added = sequences.enroll(people=[contact], sequence=sequence, actor=request.user,
                             start_at=int(start) if start.isdigit() else 1)  # fmt: skip
    if added:
        messages.success(request, f"{contact} is on “{sequence}”.")
    else:
        messages.info(request, f"{contact} is already on “{sequence}” (or that step is missing).")
    return redirect(contact.get_absolute_url() + "#drips")


@member_required()
@require_POST
def enrollment_status(request: TenantRequest, pk: int) -> HttpResponse:
    enrollment = tenant_get(request, Enrollment, pk)
    action = request.POST.get("action", "")
    status = {"pause": EnrollmentStatus.PAUSED, "resume": EnrollmentStatus.ACTIVE,
              "stop": EnrollmentStatus.STOPPED}.get(action)  # fmt: skip
    if status is not None:
        reason = f"Stopped by {request.user.display_name}" if action == "stop" else ""
        sequences.set_status(enrollment, status, reason)
    return redirect(enrollment.contact.get_absolute_url() + "#drips")


@member_required()
@require_POST
def stop_all_automations(request: TenantRequest, pk: int) -> HttpResponse:
    contact = contact_get(request, pk)
    stopped = sequences.stop_all(contact, reason=f"All automations stopped by {request.user}")
    contact.stop_automations = True
    contact.save(update_fields=["stop_automations", "updated_at"])
    messages.success(request, f"Stopped every automation for {contact} ({stopped} drips).")
    return redirect(contact.get_absolute_url() + "#drips")


# ---- a sequence for many people ----------------------------------------------------------------


def enroll_from_list(request: TenantRequest, selection: Any) -> HttpResponse:
    """The people list's bulk action: on to choosing the sequence for the selection."""
    query = QueryDict(mutable=True)
    query.update(selection.params())
    return redirect(f"{reverse('drip_apply')}?{query.urlencode()}")


@member_required()
@require_http_methods(["GET", "POST"])
def drip_apply(request: TenantRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    chosen = audience.from_params(request, params)
    choices = Sequence.objects.for_account(request.account).prefetch_related("steps__content")
    if request.method == "POST" and chosen is not None:
        wanted, _, start = request.POST.get("start", "").partition(":")
        sequence = tenant_get(request, Sequence, int(wanted) if wanted.isdigit() else 0)
        position = int(start) if start.isdigit() else 1
        if not sequence.steps.filter(position=position).exists():
            messages.error(request, f"“{sequence}” has no step {position}.")
            back = QueryDict(mutable=True)
            back.update(chosen.keep)
            return redirect(f"{reverse('drip_apply')}?{back.urlencode()}")
        people = chosen.people.exclude(stop_automations=True)
        added = sequences.enroll(people=people.order_by("pk"), sequence=sequence,
                                 actor=request.user, start_at=position)  # fmt: skip
        messages.success(request, f"Put {added:,} {'person' if added == 1 else 'people'} on "
                                  f"“{sequence}” from step {position} (anyone already on it, "
                                  "or with automations stopped, left as they were).")  # fmt: skip
        return redirect(sequence.get_absolute_url())
    count = chosen.people.count() if chosen else 0
    return render(request, "drips/apply.html",
                  {"audience": chosen, "count": count, "sequences": choices})  # fmt: skip


# ---- bounces ------------------------------------------------------------------------------------


@member_required()
@require_GET
def bounce_list(request: TenantRequest) -> HttpResponse:
    from django.core.paginator import Paginator

    from drips.models import BounceReport

    rows = BounceReport.objects.for_account(request.account).select_related("contact").defer("raw")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "drips/bounces.html", {"page": page})


@csrf_exempt  # the mail server posts here with the shared secret, not a session
@require_POST
def bounce_inbound(request: HttpRequest) -> HttpResponse:
    """A delivery report as raw RFC 822 (the mail server pipes what comes back to our
    return paths), with ``Authorization: Bearer DRIPS_BOUNCE_SECRET``."""
    from django.conf import settings
    from django.utils.crypto import constant_time_compare

    from drips import bounces

    secret = getattr(settings, "DRIPS_BOUNCE_SECRET", "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not secret or not constant_time_compare(given, secret):
        return HttpResponse("Not allowed.\n", status=403, content_type="text/plain")
    report = bounces.receive_report(request.body)
    if report is None:
        return HttpResponse("Not a return path of ours: ignored.\n", content_type="text/plain")
    return HttpResponse("Stored.\n", status=202, content_type="text/plain")
