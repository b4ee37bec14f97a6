"""Finds the request's account and holds the tenant context for the whole response."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from crm.models import Account, Membership
from crm.tenancy import tenant_context

SESSION_KEY = "account_id"


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.account = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        user = request.user
        user_id = user.pk if user.is_authenticated else None
        account_id = None
        if user_id is not None:
            with tenant_context(None, user_id):
                memberships = list(
                    Membership.objects.filter(user_id=user_id)
                    .select_related("account")
                    .order_by("account__name", "account_id")
                )
            chosen = _choose(memberships, request.session.get(SESSION_KEY))
            if chosen is not None:
                request.account = chosen.account  # type: ignore[attr-defined]
                request.membership = chosen  # type: ignore[attr-defined]
                account_id = chosen.account_id
                if request.session.get(SESSION_KEY) != account_id:
                    request.session[SESSION_KEY] = account_id
            request.memberships = memberships  # type: ignore[attr-defined]
        _activate_time_zone(request.account)  # type: ignore[attr-defined]
        with tenant_context(account_id, user_id):
            response = self.get_response(request)
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = _stream_within(
                response.streaming_content, account_id, user_id
            )
        return response


def _activate_time_zone(account: Account | None) -> None:
    """Dates show in the account's own time zone."""
    if account is None:
        timezone.deactivate()
        return
    try:
        timezone.activate(zoneinfo.ZoneInfo(account.time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()


def _choose(memberships: list[Membership], wanted: Any) -> Membership | None:
    for membership in memberships:
        if membership.account_id == wanted:
            return membership
    return memberships[0] if memberships else None


def _stream_within(content: Any, account_id: int | None, user_id: int | None) -> Iterator[bytes]:
    """Streamed exports read rows while the body is sent, so they keep the tenant too."""
    iterator = iter(content)
    while True:
        with tenant_context(account_id, user_id):
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk
