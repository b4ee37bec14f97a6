"""Bulk actions other apps add to the people list (the drips app: put on a drip, send
an email or eCard). A handler gets the request and the selection and answers with a
page of its own, so the contacts app never imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponse

from crm.types import TenantRequest


@dataclass(frozen=True)
class Selection:
    """What was chosen on the list: ticked ids, or every person the filter matches."""

    ids: list[int]
    query: str
    all_matching: bool

    def params(self) -> dict[str, str]:
        if self.all_matching:
            return {"query": self.query}
        return {"ids": ",".join(str(pk) for pk in self.ids)}


Handler = Callable[[TenantRequest, Selection], HttpResponse]


@dataclass(frozen=True)
class BulkAction:
    key: str
    label: str
    handler: Handler


_ACTIONS: dict[str, BulkAction] = {}


def register(key: str, label: str, handler: Handler) -> None:
    _ACTIONS[key] = BulkAction(key, label, handler)


def registered() -> list[BulkAction]:
    return list(_ACTIONS.values())


def get(key: str) -> BulkAction | None:
    return _ACTIONS.get(key)
