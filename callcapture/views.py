"""Call-capture pages: Twilio settings and numbers, listing codes with photos and sign
riders, the hotline log, texting a person, click-to-dial, and the public flyer."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from callcapture import listings, services, texting
from callcapture.forms import ConnectionForm, ListingCodeForm, NumberForm, PhotoForm, TextForm
from callcapture.models import (
    BridgeCall,
    HotlineEvent,
    ListingCode,
    ListingPhoto,
    TwilioConnection,
    TwilioNumber,
)
from contacts.access import contact_get
from contacts.models import Phone
from crm.access import member_required, tenant_get
from crm.forms import add_service_errors
from crm.tenancy import rls_bypass, tenant_context
from crm.types import TenantRequest


def _webhook_urls(request: HttpRequest) -> dict[str, str]:
    from django.conf import settings

    base = settings.SITE_URL.rstrip("/")
    return {
        "sms": base + reverse("twilio_sms"),
        "voice": base + reverse("twilio_voice"),
        "status": base + reverse("twilio_sms_status"),
    }


@member_required("can_manage_users")
@require_http_methods(["GET", "POST"])
def settings_page(request: TenantRequest) -> HttpResponse:
    connection = TwilioConnection.objects.for_account(request.account).first()
    form = ConnectionForm(request.POST or None, instance=connection)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.connection_save(
                account=request.account,
                account_sid=data["account_sid"],
                auth_token=data["auth_token"],
                lookup_enabled=data["lookup_enabled"],
                quiet_from=data["quiet_from"],
                quiet_until=data["quiet_until"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Saved the Twilio connection.")
            return redirect("callcapture_settings")
    return render(
        request,
        "callcapture/settings.html",
        {
            "form": form,
            "connection": connection,
            "numbers": TwilioNumber.objects.for_account(request.account),
            "number_form": NumberForm(),
            "urls": _webhook_urls(request),
        },
    )


@member_required("can_manage_users")
@require_POST
def number_add(request: TenantRequest) -> HttpResponse:
    form = NumberForm(request.POST)
    if form.is_valid():
        try:
            services.number_add(
                account=request.account,
                e164=form.cleaned_data["e164"],
                label=form.cleaned_data["label"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Number connected.")
    return redirect("callcapture_settings")


@member_required("can_manage_users", "can_delete")
@require_POST
def number_delete(request: TenantRequest, pk: int) -> HttpResponse:
    tenant_get(request, TwilioNumber, pk).delete()
    messages.success(request, "Number removed: its calls and texts no longer reach this account.")
    return redirect("callcapture_settings")


# ---- listing codes -------------------------------------------------------------------------


@member_required()
@require_GET
def code_list(request: TenantRequest) -> HttpResponse:
    codes = ListingCode.objects.for_account(request.account).prefetch_related("photos")
    return render(
        request,
        "callcapture/codes.html",
        {"codes": codes, "number": TwilioNumber.objects.for_account(request.account).first()},
    )


def _save_code(request: TenantRequest, form: ListingCodeForm, pk: int | None) -> bool:
    if not form.is_valid():
        return False
    try:
        form.instance.code = services.listing_code_check(
            request.account, form.cleaned_data["code"], pk
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    form.instance.account = request.account
    form.save()
    return True


@member_required()
@require_http_methods(["GET", "POST"])
def code_new(request: TenantRequest) -> HttpResponse:
    form = ListingCodeForm(
        request.POST or None, initial={"code": services.next_free_code(request.account)}
    )
    if request.method == "POST" and _save_code(request, form, None):
        live = TwilioNumber.objects.for_account(request.account).exists()
        messages.success(
            request,
            f"Code {form.instance.code} is live on the hotline."
            if live
            else f"Code {form.instance.code} is saved; it answers once a number is connected.",
        )
        return redirect("listing_code_edit", pk=form.instance.pk)
    return render(request, "callcapture/code_edit.html", {"form": form, "listing": None})


@member_required()
@require_http_methods(["GET", "POST"])
def code_edit(request: TenantRequest, pk: int) -> HttpResponse:
    listing = tenant_get(request, ListingCode, pk)
    form = ListingCodeForm(request.POST or None, instance=listing)
    if request.method == "POST" and _save_code(request, form, listing.pk):
        messages.success(request, "Saved.")
        return redirect("listing_code_edit", pk=listing.pk)
    return render(
        request,
        "callcapture/code_edit.html",
        {
            "form": form,
            "listing": listing,
            "photo_form": PhotoForm(),
            "flyer_url": listings.flyer_url(listing),
            "spoken": listings.spoken(listing),
            "text": listings.flyer_text(listing),
        },
    )


@member_required()
@require_POST
def photo_add(request: TenantRequest, pk: int) -> HttpResponse:
    listing = tenant_get(request, ListingCode, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.photo_add(
                listing=listing,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, "Choose a photo to upload.")
    return redirect("listing_code_edit", pk=listing.pk)


@member_required("can_delete")
@require_POST
def photo_delete(request: TenantRequest, pk: int) -> HttpResponse:
    photo = tenant_get(request, ListingPhoto, pk)
    photo.delete()
    return redirect("listing_code_edit", pk=photo.listing_id)


@member_required("can_delete")
@require_POST
def code_delete(request: TenantRequest, pk: int) -> HttpResponse:
    listing = tenant_get(request, ListingCode, pk)
    listing.delete()
    messages.success(request, f"Code {listing.code} deleted; callers entering it hear a retry.")
    return redirect("listing_codes")


@member_required()
@require_GET
def rider(request: TenantRequest, pk: int) -> HttpResponse:
    listing = tenant_get(request, ListingCode, pk)
    number = TwilioNumber.objects.for_account(request.account).first()
    if number is None:
        messages.error(request, "Connect a Twilio number first: the rider prints it.")
        return redirect("listing_code_edit", pk=listing.pk)
    response = HttpResponse(listings.rider_pdf(listing, number), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="rider-{listing.code}.pdf"'
    return response


@member_required()
@require_GET
def hotline_log(request: TenantRequest) -> HttpResponse:
    events = HotlineEvent.objects.for_account(request.account).select_related("listing", "contact")
    page = Paginator(events.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "callcapture/log.html", {"page": page})


# ---- a person: texts and calls -----------------------------------------------------------------


@member_required()
@require_POST
def text_send(request: TenantRequest, pk: int) -> HttpResponse:
    contact = contact_get(request, pk)
    form = TextForm(request.POST)
    if form.is_valid():
        try:
            texting.text_send(contact=contact, body=form.cleaned_data["body"], actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            draft = urlencode({"draft": form.cleaned_data["body"][:1600]})
            return redirect(f"{contact.get_absolute_url()}?{draft}#texts")  # keeps what was typed
        else:
            messages.success(request, "Text queued.")
    else:
        messages.error(request, "Write the message first.")
    return redirect(contact.get_absolute_url() + "#texts")


@member_required()
@require_POST
def dial(request: TenantRequest, pk: int) -> HttpResponse:
    phone = tenant_get(request, Phone, pk)
    contact = contact_get(request, phone.contact_id)
    try:
        call = services.dial_start(contact=contact, phone=phone, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(contact.get_absolute_url())
    messages.success(request, f"Calling your mobile now; answer it to be connected to {contact}.")
    return redirect("bridge_call", pk=call.pk)


@member_required()
@require_GET
def bridge_call(request: TenantRequest, pk: int) -> HttpResponse:
    call = tenant_get(request, BridgeCall, pk)
    template = "callcapture/_call_status.html" if request.htmx else "callcapture/call.html"
    return render(request, template, {"call": call})


# ---- public ------------------------------------------------------------------------------------


@require_GET
def flyer(request: HttpRequest, token: str) -> HttpResponse:
    """The electronic flyer a texter or caller gets: found by its token, nothing else."""
    with rls_bypass():
        found = ListingCode.objects.filter(flyer_token=token, is_active=True).first()
    if found is None:
        raise Http404("No such flyer.")
    with tenant_context(found.account_id):
        listing = (
            ListingCode.objects.for_account(found.account_id)
            .select_related("account")
            .get(pk=found.pk)
        )
        user = listings.owner(listing.account)
        context = {
            "listing": listing,
            "photos": list(listing.photos.all()),
            "summary": listings.summary(listing),
            "agent": user,
            "agent_name": listings.agent_name(listing.account),
            "number": TwilioNumber.objects.for_account(found.account_id).first(),
        }
        response = render(request, "callcapture/flyer.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def flyer_photo(request: HttpRequest, token: str, pk: int) -> HttpResponseBase:
    """A flyer's photo, served through its flyer's token (media stays private)."""
    from django.http import FileResponse

    with rls_bypass():
        photo = (
            ListingPhoto.objects.filter(pk=pk, listing__flyer_token=token, listing__is_active=True)
            .select_related("listing")
            .first()
        )
    if photo is None or not photo.image:
        raise Http404("No such photo.")
    response = FileResponse(photo.image.open("rb"))
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
