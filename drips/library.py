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


def sequences_seed(*, account: Account | int, models: Any = None) -> int:
    """One ready-made sequence per seeded series of two or more letters and emails, a
    week apart, in title order ("FSBO 1 of 4" first); seller series end with a call."""
    from drips.models import ContentItem, Sequence, Step

    content: Any
    sequence_model: Any
    step_model: Any
    content, sequence_model, step_model = models or (ContentItem, Sequence, Step)
    account_id = account if isinstance(account, int) else account.pk
    have = set(sequence_model.objects.filter(account_id=account_id).values_list("key", flat=True))
    series: dict[str, list[Any]] = {}
    rows = content.objects.filter(account_id=account_id, kind__in=["email", "letter"])
    for item in rows.exclude(key="").order_by("title"):
        series.setdefault(item.series, []).append(item)
    made = 0
    for name, items in series.items():
        key = "seq-" + "-".join(name.lower().replace(":", "").split())[:50]
        if len(items) < 2 or key in have:
            continue
        sequence = sequence_model.objects.create(
            account_id=account_id, key=key, name=name,
            description=f"{len(items)} steps from the library's {name} series, a week apart.",
        )  # fmt: skip
        for position, item in enumerate(items, start=1):
            step_model.objects.create(
                account_id=account_id, sequence=sequence, position=position, kind=item.kind,
                content=item, delay_days=0 if position == 1 else 7,
            )  # fmt: skip
        if name in ("FSBO", "Expired Listing", "Probate", "Pre-Foreclosure"):
            step_model.objects.create(
                account_id=account_id, sequence=sequence, position=len(items) + 1, kind="task",
                task_title=f"Call: follow up on the {name} letters", delay_days=3,
            )  # fmt: skip
        made += 1
    return made
