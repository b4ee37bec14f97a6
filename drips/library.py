"""The seeded content library: our own letters, emails, eCards and flyers in
drips/content/<kind>/<key>.json, copied into every account (and into older accounts by a
migration). An account's copies are its own to edit; the seed adds only missing keys."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from crm.models import Account

CONTENT = Path(__file__).resolve().parent / "content"


@cache
def seeded_items() -> tuple[dict[str, Any], ...]:
    items = []
    for path in sorted(CONTENT.glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        items.append(data)
    return tuple(items)


def library_seed(*, account: Account | int, model: Any = None) -> int:
    """Add the seeded items this account lacks; returns how many were added."""
    if model is None:
        from drips.models import ContentItem as model
    account_id = account if isinstance(account, int) else account.pk
    have = set(model.objects.filter(account_id=account_id).values_list("key", flat=True))
    fresh = [
        model(
            account_id=account_id,
            key=item["key"],
            kind=item["kind"],
            series=item.get("series", "")[:80],
            title=item["title"][:120],
            subject=item.get("subject", "")[:200],
            body=item["body"],
        )
        for item in seeded_items()
        if item["key"] not in have
    ]
    model.objects.bulk_create(fresh)
    return len(fresh)
