"""A request as tenant views see it, after ``TenantMiddleware``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from crm.models import Account, Membership, User


class TenantRequest(HttpRequest):
    account: Account
    membership: Membership
    memberships: list[Membership]
    user: User  # type: ignore[assignment]
    htmx: HtmxDetails
