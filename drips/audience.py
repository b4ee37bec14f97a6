"""Who a bulk send or a bulk enrollment is for: the people ticked on the list, the
list's current filter, a smart list or a category, and a label that says which."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import QueryDict

from contacts.models import Contact, SmartList
from crm.access import category_get, tenant_get
from crm.types import TenantRequest
from prospects.mailing import Source, source_people

MAX_TICKED = 1000


@dataclass
class Audience:
    people: QuerySet[Contact]
    label: str
    keep: dict[str, str] = field(default_factory=dict)  # hidden inputs that carry it on


def _ids(value: str) -> list[int]:
    return sorted({int(v) for v in value.split(",") if v.strip().isdigit()})[:MAX_TICKED]


def from_params(request: TenantRequest, params: QueryDict) -> Audience | None:
    """The audience named by ``ids``, ``category``, ``smart`` or ``query``; another
    account's category or smart list is a 404, another account's ids match nobody."""
    account = request.account
    if params.get("ids"):
        ids = _ids(params.get("ids", ""))
        people = Contact.objects.for_account(account).alive().filter(pk__in=ids)
        what = "person" if len(ids) == 1 else "people"
        return Audience(people, f"{len(ids):,} {what} ticked on the list",
                        {"ids": ",".join(map(str, ids))})  # fmt: skip
    source: Source
    keep: dict[str, str]
    if (category := params.get("category", "")).isdigit():
        source, keep = Source(category=category_get(request, int(category))), {"category": category}
    elif (smart := params.get("smart", "")).isdigit():
        source = Source(smart=tenant_get(request, SmartList, int(smart)))
        keep = {"smart": smart}
    elif "query" in params:
        source, keep = Source(query=params.get("query", "")), {"query": params.get("query", "")}
    else:
        return None
    return Audience(source_people(account=account, source=source), source.label, keep)
