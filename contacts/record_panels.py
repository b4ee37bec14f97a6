"""Panels on a person's page that apps to the right add (the prospects app's lead
details, say), so the contacts app never imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contacts.models import Contact


@dataclass(frozen=True)
class RecordPanel:
    order: int
    template: str
    context: Callable[[Contact], dict[str, Any] | None]  # None: nothing to show


_PANELS: list[RecordPanel] = []


def register(
    *, order: int, template: str, context: Callable[[Contact], dict[str, Any] | None]
) -> None:
    if all(p.template != template for p in _PANELS):
        _PANELS.append(RecordPanel(order=order, template=template, context=context))
        _PANELS.sort(key=lambda p: p.order)


def panels_for(contact: Contact) -> list[tuple[str, dict[str, Any]]]:
    shown = []
    for panel in _PANELS:
        context = panel.context(contact)
        if context is not None:
            shown.append((panel.template, context))
    return shown


# Badges apps add to each row of the people list (the prospects app: stage and response
# time), with the relations they read so the list stays at a fixed number of queries.
ROW_BADGES: list[str] = []
ROW_RELATED: list[str] = []


def register_row_badge(*, template: str, related: str = "") -> None:
    if template not in ROW_BADGES:
        ROW_BADGES.append(template)
    if related and related not in ROW_RELATED:
        ROW_RELATED.append(related)
