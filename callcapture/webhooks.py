"""Twilio webhooks: which account a request belongs to, and whether Twilio signed it.

A hotline request is routed by the number called (``To``), never by anything the
caller controls; a click-to-dial request by the unguessable token in its URL, which we
gave Twilio. Either way the account's own auth token must verify ``X-Twilio-Signature``
over the exact public URL, or the answer is 403."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from callcapture.models import BridgeCall, TwilioConnection, TwilioNumber
from crm.tenancy import rls_bypass, tenant_context

TWIML = "application/xml"


def public_url(request: HttpRequest) -> str:
    """The URL Twilio called: SITE_URL's scheme and host when set (behind a proxy), else
    the request's own (which honours X-Forwarded-Proto through SECURE_PROXY_SSL_HEADER)."""
    site = getattr(settings, "SITE_URL", "")
    if site and not settings.DEBUG and request.get_host() in site:
        return site.rstrip("/") + request.get_full_path()
    return request.build_absolute_uri()


def signed_by(connection: TwilioConnection, request: HttpRequest) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    token = connection.auth_token
    if not signature or not token:
        return False
    return RequestValidator(token).validate(public_url(request), request.POST, signature)


@dataclass(frozen=True)
class Hotline:
    number: TwilioNumber
    connection: TwilioConnection


def _find_number(to: str) -> TwilioNumber | None:
    if not to or len(to) > 20:
        return None
    with rls_bypass():  # the account is what we are finding out: the number says it
        return TwilioNumber.objects.select_related("connection", "account").filter(e164=to).first()


def hotline_webhook(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view gets the Hotline and runs inside that account's tenant context."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        number = _find_number(request.POST.get("To", "").strip())
        if number is None:
            return HttpResponse("Unknown number", status=404)
        with tenant_context(number.account_id):
            if not signed_by(number.connection, request):
                return HttpResponseForbidden("Bad signature")
            return view(request, Hotline(number, number.connection), *args, **kwargs)

    return wrapped


def bridge_webhook(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For click-to-dial: the call found by its token, then the signature checked."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapped(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        with rls_bypass():
            call = BridgeCall.objects.filter(token=token).select_related("account").first()
        if call is None:
            return HttpResponse("Unknown call", status=404)
        with tenant_context(call.account_id):
            connection = TwilioConnection.objects.for_account(call.account_id).first()
            if connection is None or not signed_by(connection, request):
                return HttpResponseForbidden("Bad signature")
            return view(request, call, connection, *args, **kwargs)

    return wrapped


def twiml(response: Any) -> HttpResponse:
    return HttpResponse(str(response), content_type=TWIML)
