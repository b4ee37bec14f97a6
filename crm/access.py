"""Decorators and fetch helpers in front of every tenant view.

An outsider asking for another account's object gets 404, never a 403 that
confirms it exists; a member lacking a flag gets a refusal (403).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect

from crm.models import FLAG_NAMES, Category, Membership
from crm.types import TenantRequest

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponseBase]


def member_required(*flags: str) -> Callable[[View], View]:
    """The view needs a current account; each named membership flag must be set."""
    for flag in flags:
        if flag not in FLAG_NAMES:
            raise ValueError(f"Unknown membership flag {flag!r}")

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            membership: Membership | None = getattr(request, "membership", None)
            if membership is None:
                return redirect("no_account")
            missing = [f for f in flags if not getattr(membership, f)]
            if missing:
                raise PermissionDenied("Your role in this account does not allow that.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def tenant_get(request: TenantRequest, model: type[M], pk: Any, **filters: Any) -> M:
    """The object of the current account with this pk, or 404."""
    queryset = model._default_manager.filter(account=request.account, **filters)
    return get_object_or_404(queryset, pk=pk)


def category_get(request: TenantRequest, pk: int) -> Category:
    return tenant_get(request, Category, pk)


def membership_get(request: TenantRequest, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user").filter(account=request.account),
        pk=pk,
    )
