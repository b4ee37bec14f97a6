"""Pages for merging people: choose the survivor and each field's value, merge, undo."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.access import contact_get
from contacts.models import Contact, Database
from crm.access import member_required, tenant_get
from crm.types import TenantRequest
from prospects.merge import (
    MERGE_FIELDS,
    UNDO_DAYS,
    contacts_merge,
    merge_can_undo,
    merge_people_names,
    merge_undo,
)
from prospects.models import Merge

MAX_PEOPLE = 10
RECENT_MERGES = 10
MAX_CANDIDATES = 20


def _ids(params: QueryDict) -> list[int]:
    ids: list[int] = []
    for raw in params.getlist("ids"):
        for part in raw.split(","):
            if not part.strip():
                continue
            try:
                pk = int(part)
            except ValueError as exc:
                raise Http404("No such person.") from exc
            if pk not in ids:
                ids.append(pk)
    return ids[:MAX_PEOPLE]


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value is False


def _shown(contact: Contact, name: str) -> str:
    value = getattr(contact, name)
    if name == "database":
        return str(contact.get_database_display())  # type: ignore[attr-defined]
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.strftime("%b %-d, %Y")
    return "" if value is None else str(value)


def _default_choice(people: list[Contact], name: str) -> int:
    """The most recently updated non-empty value; a person already in the contacts
    database stays there (a prospect record must not take them off the phone sync)."""
    if name == "database":
        known = [p for p in people if p.database == Database.CONTACTS]
        if known:
            return known[0].pk
    for person in sorted(people, key=lambda p: p.updated_at, reverse=True):
        if not _is_empty(getattr(person, name)):
            return person.pk
    return people[0].pk


def _default_survivor(people: list[Contact]) -> int:
    """Someone in the contacts database before a prospect, then the oldest record."""
    ranked = sorted(people, key=lambda p: (p.database != Database.CONTACTS, p.created_at, p.pk))
    return ranked[0].pk


def _rows(people: list[Contact], chosen: dict[str, int]) -> list[dict[str, Any]]:
    rows = []
    for name in MERGE_FIELDS:
        label = str(Contact._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
        cells = [
            {"pk": p.pk, "value": _shown(p, name), "checked": chosen[name] == p.pk} for p in people
        ]
        same = len({c["value"] for c in cells}) == 1
        rows.append(
            {"name": name, "label": label[:1].upper() + label[1:], "cells": cells, "same": same}
        )
    return rows


def _recent(request: TenantRequest, limit: int | None = None) -> list[dict[str, Any]]:
    merges = Merge.objects.for_account(request.account).select_related("survivor", "created_by")
    if limit is not None:
        merges = merges[:limit]
    return [
        {"merge": m, "names": merge_people_names(m), "can_undo": merge_can_undo(m)} for m in merges
    ]


def _candidates(request: TenantRequest, query: str, *, exclude: list[int]) -> list[Contact]:
    """People to merge with, found by name, email, phone or street (the "Merge with…" step)."""
    if not query:
        return []
    return list(
        Contact.objects.for_account(request.account)
        .alive()
        .filter(merged_into__isnull=True, search_text__icontains=query.lower())
        .exclude(pk__in=exclude)
        .order_by("last_name", "first_name", "pk")[:MAX_CANDIDATES]
    )


def _choice(params: QueryDict, key: str, allowed: set[int], default: int) -> int:
    try:
        value = int(params.get(key, ""))
    except ValueError:
        return default
    return value if value in allowed else default


@member_required("can_delete")
@require_http_methods(["GET", "POST"])
def contact_merge(request: TenantRequest) -> HttpResponse:
    """Side by side, a radio per field; merging removes records, hence ``can_delete``."""
    params = request.POST if request.method == "POST" else request.GET
    people = [contact_get(request, pk) for pk in _ids(params)]
    if len(people) < 2:
        if request.method == "POST":
            messages.error(request, "Choose at least two people to merge.")
        query = params.get("q", "").strip()
        context = {
            "people": [],
            "chosen": people,
            "q": query,
            "candidates": _candidates(request, query, exclude=[p.pk for p in people]),
            "recent": _recent(request, RECENT_MERGES),
            "days": UNDO_DAYS,
        }
        return render(request, "prospects/merge/merge.html", context)
    allowed = {p.pk for p in people}
    survivor_pk = _choice(params, "survivor", allowed, _default_survivor(people))
    chosen = {
        name: _choice(params, f"f_{name}", allowed, _default_choice(people, name))
        for name in MERGE_FIELDS
    }
    if request.method == "POST":
        by_pk = {p.pk: p for p in people}
        field_values = {}
        for name in MERGE_FIELDS:
            field = Contact._meta.get_field(name)
            field_values[name] = getattr(by_pk[chosen[name]], field.attname)  # type: ignore[union-attr]
        try:
            merge = contacts_merge(
                survivor=by_pk[survivor_pk],
                others=[p for p in people if p.pk != survivor_pk],
                field_values=field_values,
                actor=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            names = ", ".join(merge_people_names(merge))
            messages.success(
                request,
                f"Merged {names} into {merge.survivor}. You can undo it for {UNDO_DAYS} days "
                "from the merges page.",
            )
            return redirect("contact_detail", pk=merge.survivor_id)
    context = {
        "people": people,
        "survivor_pk": survivor_pk,
        "rows": _rows(people, chosen),
        "recent": _recent(request, RECENT_MERGES),
        "days": UNDO_DAYS,
    }
    return render(request, "prospects/merge/merge.html", context)


@member_required()
@require_GET
def merge_list(request: TenantRequest) -> HttpResponse:
    page = Paginator(
        Merge.objects.for_account(request.account).select_related("survivor", "created_by"), 50
    ).get_page(request.GET.get("page"))
    recent = [
        {"merge": m, "names": merge_people_names(m), "can_undo": merge_can_undo(m)}
        for m in page.object_list
    ]
    return render(
        request, "prospects/merge/list.html", {"page": page, "recent": recent, "days": UNDO_DAYS}
    )


@member_required("can_delete")
@require_POST
def merge_undo_view(request: TenantRequest, pk: int) -> HttpResponse:
    merge = tenant_get(request, Merge, pk)
    try:
        merge_undo(merge=merge, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("merge_list")
    names = ", ".join(merge_people_names(merge))
    messages.success(request, f"Undid the merge: {names} are back ({timezone.localdate():%b %-d}).")
    return redirect("contact_detail", pk=merge.survivor_id)
