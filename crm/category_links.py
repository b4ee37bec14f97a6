"""Where categories are used. Apps to the right (contacts, prospects…) register
their link tables here, so the core can merge and count without importing them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Model

from crm.models import Account, Category


@dataclass(frozen=True)
class CategoryLink:
    model: type[Model]
    owner_field: str  # the tagged record, e.g. "contact"


_LINKS: list[CategoryLink] = []


def register(model: type[Model], *, owner_field: str) -> None:
    link = CategoryLink(model=model, owner_field=owner_field)
    if link not in _LINKS:
        _LINKS.append(link)


def usage_counts(account: Account | int) -> Counter[int]:
    """Tagged records per category id, one query per link table."""
    account_id = account if isinstance(account, int) else account.pk
    counts: Counter[int] = Counter()
    for link in _LINKS:
        rows = (
            link.model._default_manager.filter(account_id=account_id)
            .values("category_id")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            counts[row["category_id"]] += row["n"]
    return counts


def move_links(*, source: Category, target: Category) -> int:
    """Re-point every link from ``source`` to ``target``; records tagged with both keep one."""
    moved = 0
    for link in _LINKS:
        manager = link.model._default_manager
        already = manager.filter(category=target).values(link.owner_field)
        manager.filter(category=source, **{f"{link.owner_field}__in": already}).delete()
        moved += manager.filter(category=source).update(category=target)
    return moved
