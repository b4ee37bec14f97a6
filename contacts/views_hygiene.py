"""Hygiene pages, the Christmas card test and the yearly Cold clean-up."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from contacts import exports, hygiene, selectors, services
from contacts.access import contact_get
from contacts.models import Contact
from contacts.reachability import Channel, reach
from crm.access import member_required
from crm.models import Job
from crm.types import TenantRequest

# The clean-up's export, remembered so step 2 can point back at it.
COLD_EXPORT_SESSION_KEY = "cold_cleanup_job"
_BLOCKED_CHANNELS = ((Channel.CALL, "Phone"), (Channel.EMAIL, "Email"), (Channel.LETTER, "Letter"))


def list_url_name(slug: str, suffix: str = "") -> str:
    """hygiene_silent_prospects, hygiene_silent_prospects_count…"""
    name = f"hygiene_{slug.replace('-', '_')}"
    return f"{name}_{suffix}" if suffix else name


def _blocked_reasons(contact: Contact) -> list[tuple[str, str]]:
    """Why a phone, email or mailing address the person has cannot be used (DNC, bounced,
    returned…), from the prefetched rows; a missing one already shows as a dash."""
    has = {
        Channel.CALL: bool(contact.phones.all()),
        Channel.EMAIL: bool(contact.emails.all()),
        Channel.LETTER: any(a.is_mailing for a in contact.addresses.all()),
    }
    reasons = []
    for channel, label in _BLOCKED_CHANNELS:
        result = reach(contact, channel)
        if has[channel] and not result.ok:
            reasons.append((label, result.reason))
    return reasons


@member_required()
@require_GET
def hygiene_index(request: TenantRequest) -> HttpResponse:
    """The figures load on their own (htmx), each in its own request: at 100,000 people
    every one of them is a scan, and together they would keep the page waiting."""
    return render(
        request,
        "contacts/hygiene/index.html",
        {
            "lists": [
                {
                    "title": title,
                    "description": description,
                    "url": reverse(list_url_name(slug)),
                    "count_url": reverse(list_url_name(slug, "count")),
                }
                for slug, (title, description) in hygiene.HYGIENE_LISTS.items()
            ],
            "year_start": hygiene.year_start(request.account),
        },
    )


@member_required()
@require_GET
def hygiene_decay(request: TenantRequest) -> HttpResponse:
    return render(
        request,
        "contacts/hygiene/_decay.html",
        {
            "decay": hygiene.list_decay(account=request.account),
            "year_start": hygiene.year_start(request.account),
        },
    )


@member_required()
@require_GET
def hygiene_count(request: TenantRequest, slug: str) -> HttpResponse:
    """How many people are on one hygiene list, as a bare number for the index and the
    list's head."""
    if slug not in hygiene.HYGIENE_LISTS:
        raise Http404("No such hygiene list.")
    count = hygiene.hygiene_list(account=request.account, slug=slug).order_by().count()
    return render(request, "contacts/hygiene/_count.html", {"count": count})


@member_required()
@require_GET
def hygiene_list(request: TenantRequest, slug: str) -> HttpResponse:
    if slug not in hygiene.HYGIENE_LISTS:
        raise Http404("No such hygiene list.")
    title, description = hygiene.HYGIENE_LISTS[slug]
    people = selectors.with_row_data(hygiene.hygiene_list(account=request.account, slug=slug))
    page = hygiene.window(people, request.GET.get("page"), selectors.LIST_PAGE_SIZE)
    for contact in page.object_list:
        contact.blocked_reasons = _blocked_reasons(contact)  # type: ignore[attr-defined]
    return render(
        request,
        "contacts/hygiene/list.html",
        {
            "slug": slug,
            "title": title,
            "description": description,
            "page": page,
            "count_url": reverse(list_url_name(slug, "count")),
        },
    )


def _back_to_list(request: TenantRequest, name: str) -> HttpResponse:
    page = request.POST.get("page", "")
    url = reverse(name)
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


@member_required()
@require_POST
def prospects_mark_cold(request: TenantRequest) -> HttpResponse:
    """One click: every prospect silent two years or more goes to Cold."""
    people = hygiene.prospects_silent(account=request.account).order_by()
    count = people.count()
    if count:
        services.contacts_mark_cold(contacts=people, account_id=request.account.pk)
        messages.success(request, f"Marked {count:,} silent prospects Cold.")
    else:
        messages.info(request, "No silent prospects to mark Cold.")
    return redirect("hygiene_silent_prospects")


@member_required()
@require_POST
def prospect_mark_cold(request: TenantRequest, pk: int) -> HttpResponse:
    contact = contact_get(request, pk)
    services.contacts_mark_cold(
        contacts=Contact.objects.filter(pk=contact.pk), account_id=request.account.pk
    )
    messages.success(request, f"Marked {contact} Cold.")
    return _back_to_list(request, "hygiene_silent_prospects")


# ---- the Christmas card test -----------------------------------------------------------


def _after(request: TenantRequest) -> int | None:
    value = request.GET.get("after", "")
    return int(value) if value.isdigit() else None


@member_required()
@require_GET
def christmas_test(request: TenantRequest) -> HttpResponse:
    """One card at a time; the place in the deck lives in the URL (?after=<id>)."""
    card = hygiene.christmas_card(account=request.account, after=_after(request))
    context: dict[str, Any] = {"card": card, "contact": card.contact}
    if card.contact is not None:
        context["mailing"] = [a for a in card.contact.addresses.all() if a.is_mailing]
        context["letter"] = reach(card.contact, Channel.LETTER)
    return render(request, "contacts/hygiene/christmas_test.html", context)


@member_required()
@require_POST
def christmas_test_cold(request: TenantRequest, pk: int) -> HttpResponse:
    """Out of Christmas, into Cold; then the next card."""
    contact = contact_get(request, pk)
    services.contacts_swap_category(
        contacts=Contact.objects.filter(pk=contact.pk),
        remove=services.category_by_key(request.account.pk, "christmas"),
        add=services.category_by_key(request.account.pk, "cold"),
    )
    messages.success(request, f"{contact} is now Cold and off the Christmas list.")
    return redirect(f"{reverse('christmas_test')}?after={contact.pk}")


# ---- the yearly Cold clean-up ----------------------------------------------------------


@member_required()
@require_GET
def cold_cleanup(request: TenantRequest) -> HttpResponse:
    job_id = request.session.get(COLD_EXPORT_SESSION_KEY)
    job = Job.objects.for_account(request.account).filter(pk=job_id).first() if job_id else None
    return render(
        request,
        "contacts/hygiene/cold_cleanup.html",
        {
            "count": hygiene.in_cold(account=request.account).order_by().count(),
            "job": job,
            "step2": job is not None or request.GET.get("step") == "2",
        },
    )


@member_required("can_export")
@require_POST
def cold_cleanup_export(request: TenantRequest) -> HttpResponse:
    """Step 1: everyone in Cold to CSV, in the worker."""
    ids = list(hygiene.in_cold(account=request.account).values_list("pk", flat=True))
    if not ids:
        messages.info(request, "Nobody is in Cold: nothing to export.")
        return redirect("cold_cleanup")
    job = exports.start_export(
        account=request.account, actor=request.user, contact_ids=ids, kind="csv"
    )
    request.session[COLD_EXPORT_SESSION_KEY] = job.pk
    return redirect("job_detail", pk=job.pk)


@member_required("can_delete")
@require_POST
def cold_cleanup_delete(request: TenantRequest) -> HttpResponse:
    """Step 2: everyone in Cold to the trash (restorable for 30 days)."""
    if request.POST.get("confirm") != "1":
        messages.error(request, "Tick the box to confirm you have exported the Cold list first.")
        return redirect(f"{reverse('cold_cleanup')}?step=2")
    moved = services.contacts_trash(
        contacts=hygiene.in_cold(account=request.account).order_by(), actor=request.user
    )
    request.session.pop(COLD_EXPORT_SESSION_KEY, None)
    if moved:
        messages.success(
            request,
            f"Moved {moved:,} people from Cold to the trash; "
            f"they can be restored for {services.TRASH_DAYS} days.",
        )
    else:
        messages.info(request, "Nobody is in Cold: nothing to delete.")
    return redirect("cold_cleanup")
