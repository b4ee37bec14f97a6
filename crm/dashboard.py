"""Dashboard panels: apps to the right of crm add what they show on the landing page,
so the core never imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crm.models import Account, Membership


@dataclass(frozen=True)
class Panel:
    order: int
    template: str
    context: Callable[[Account, Membership], dict[str, Any]]


_PANELS: list[Panel] = []


def register(
    *, order: int, template: str, context: Callable[[Account, Membership], dict[str, Any]]
) -> None:
    if not any(p.template == template for p in _PANELS):
        _PANELS.append(Panel(order=order, template=template, context=context))
        _PANELS.sort(key=lambda p: p.order)


def panels(account: Account, membership: Membership) -> list[tuple[str, dict[str, Any]]]:
    return [(p.template, p.context(account, membership)) for p in _PANELS]
