"""The open-house kiosk: the agent's open-house pages and the public sign-in form.

The public pages find their open house by token and then act inside that
account's tenant context. CSRF stays on: the form page is never cached, and the
thank-you page always returns to a fresh GET of the form, so a kiosk left open
for hours gets a fresh token with every visitor.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from crm.access import member_required, tenant_get
from crm.forms import add_service_errors
from crm.models import Account
from crm.tenancy import tenant_context
from crm.types import TenantRequest
from prospects import kiosk
from prospects.forms_kiosk import KioskForm, OpenHouseForm
from prospects.models import OpenHouse

PAGE_SIZE = 25


def open_house_get(request: TenantRequest, pk: int) -> OpenHouse:
    return tenant_get(request, OpenHouse, pk)


@member_required()
@require_http_methods(["GET", "POST"])
def open_house_list(request: TenantRequest) -> HttpResponse:
    form = OpenHouseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            open_house = kiosk.open_house_create(
                account=request.account,
                actor=request.user,
                street=data["property_street"],
                unit=data["property_unit"],
                city=data["property_city"],
                state=data["property_state"],
                postal_code=data["property_postal_code"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Open house added. Load its kiosk link on the iPad.")
            return redirect("open_house_detail", open_house.pk)
    page = Paginator(kiosk.open_house_list(account=request.account), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "prospects/kiosk/list.html",
        {"open_houses": page.object_list, "page": page, "form": form},
    )


@member_required()
def open_house_detail(request: TenantRequest, pk: int) -> HttpResponse:
    open_house = open_house_get(request, pk)
    return render(
        request,
        "prospects/kiosk/detail.html",
        {
            "open_house": open_house,
            "kiosk_url": request.build_absolute_uri(
                reverse("kiosk", args=[open_house.kiosk_token])
            ),
            "visits": kiosk.open_house_visits(open_house=open_house),
        },
    )


@member_required()
@require_POST
def open_house_kiosk_revoke(request: TenantRequest, pk: int) -> HttpResponse:
    kiosk.kiosk_revoke(open_house=open_house_get(request, pk), actor=request.user)
    messages.success(request, "The kiosk link no longer works.")
    return redirect("open_house_detail", pk)


@member_required()
@require_POST
def open_house_kiosk_new(request: TenantRequest, pk: int) -> HttpResponse:
    kiosk.kiosk_new_token(open_house=open_house_get(request, pk), actor=request.user)
    messages.success(request, "New kiosk link made; the old one no longer works.")
    return redirect("open_house_detail", pk)


def _not_found(request: HttpRequest) -> HttpResponse:
    """One answer for an unknown and a revoked link."""
    return render(request, "prospects/kiosk/not_found.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk_form(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the token is the key. Nothing of the account shows but the street."""
    open_house = kiosk.open_house_by_token(token)
    if open_house is None:
        return _not_found(request)
    with tenant_context(open_house.account_id):
        region = (
            Account.objects.filter(pk=open_house.account_id)
            .values_list("default_region", flat=True)
            .first()
        )
        form = KioskForm(request.POST or None, region=region or "US")
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                kiosk.kiosk_sign_in(
                    open_house=open_house,
                    visitor=kiosk.KioskVisitor(
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        email=data["email"],
                        phone=data["phone"],
                        works_with_agent=data["works_with_agent"],
                        timeframe=data["timeframe"],
                    ),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("kiosk_thanks", token)
        return render(
            request,
            "prospects/kiosk/form.html",
            {"form": form, "street": open_house.property_street, "token": token},
        )


@never_cache
def kiosk_thanks(request: HttpRequest, token: str) -> HttpResponse:
    open_house = kiosk.open_house_by_token(token)
    if open_house is None:
        return _not_found(request)
    return render(
        request,
        "prospects/kiosk/thanks.html",
        {"street": open_house.property_street, "form_url": reverse("kiosk", args=[token])},
    )
