"""Lead details on a person, qualifying a prospect, and the account's lead sources."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.access import contact_get
from crm.access import member_required, tenant_get
from crm.forms import add_service_errors
from crm.types import TenantRequest
from prospects import services
from prospects.forms import LeadForm, LeadSourceForm
from prospects.models import LeadSource


@member_required()
@require_http_methods(["GET", "POST"])
def lead_edit(request: TenantRequest, pk: int) -> HttpResponse:
    contact = contact_get(request, pk)
    lead = services.lead_for(contact)
    form = LeadForm(request.POST or None, instance=lead, account_id=request.account.pk)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved the lead details of {contact}.")
        return redirect("contact_detail", pk=contact.pk)
    return render(request, "prospects/lead_edit.html", {"form": form, "contact": contact})


@member_required()
@require_POST
def prospect_qualify(request: TenantRequest, pk: int) -> HttpResponse:
    contact = contact_get(request, pk)
    try:
        services.prospect_qualify(contact=contact, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, f"{contact} is now in your contacts database.")
    return redirect("contact_detail", pk=contact.pk)


@member_required()
@require_http_methods(["GET", "POST"])
def lead_sources(request: TenantRequest) -> HttpResponse:
    form = LeadSourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lead_source_create(account=request.account, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Added the lead source “{form.cleaned_data['name']}”.")
            return redirect("lead_sources")
    sources = services.lead_source_usage(account=request.account)
    return render(request, "prospects/sources.html", {"form": form, "sources": sources})


@member_required()
@require_POST
def lead_source_toggle(request: TenantRequest, pk: int) -> HttpResponse:
    source = tenant_get(request, LeadSource, pk)
    source.is_active = not source.is_active
    source.save(update_fields=["is_active"])
    state = "back in use" if source.is_active else "retired (existing leads keep it)"
    messages.success(request, f"{source.name} is {state}.")
    return redirect("lead_sources")


@member_required()
@require_GET
def prospect_list(request: TenantRequest) -> HttpResponse:
    """The prospects database is the people list with database=prospects."""
    query = request.GET.copy()
    query["database"] = "prospects"
    return redirect(f"/contacts/?{query.urlencode()}")
