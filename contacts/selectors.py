"""Reads of people, always through the account and never of the trash unless asked."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet
from django.http import QueryDict

from contacts.filters import ContactFilter
from contacts.models import Contact, ContactCategory, Email, Note, Phone, SmartList
from crm.models import Account, Task

LIST_PAGE_SIZE = 25


def with_row_data(queryset: QuerySet[Contact]) -> QuerySet[Contact]:
    """What a list row shows, in a fixed number of queries whatever the page size."""
    from contacts.record_panels import ROW_RELATED

    return queryset.select_related(*ROW_RELATED).prefetch_related(
        "phones",
        "emails",
        "addresses",
        Prefetch(
            "category_links",
            queryset=ContactCategory.objects.select_related("category").order_by("category__name"),
        ),
        "categories",
    )


def contact_list(*, account: Account, params: QueryDict | dict[str, Any] | None) -> ContactFilter:
    base = Contact.objects.for_account(account).alive()
    return ContactFilter(params, queryset=base, account_id=account.pk)


def contact_detail(*, account: Account, pk: int) -> Contact | None:
    queryset = with_row_data(Contact.objects.for_account(account)).select_related(
        "spouse", "referred_by", "deleted_by"
    )
    return queryset.filter(pk=pk).first()


def recent_notes(*, contact: Contact, limit: int = 30) -> list[Note]:
    return list(
        Note.objects.for_account(contact.account_id)
        .filter(contact=contact)
        .select_related("author")[:limit]
    )


def open_tasks_about(*, contact: Contact) -> list[Task]:
    content_type = ContentType.objects.get_for_model(Contact)
    return list(
        Task.objects.for_account(contact.account_id).filter(
            related_type=content_type, related_id=str(contact.pk), done_at__isnull=True
        )
    )


def smart_lists(*, account: Account) -> list[SmartList]:
    """The sidebar's saved filters; their counts load one by one (``smart_list_count``), so
    the list page costs the same however many smart lists an agent keeps."""
    return list(SmartList.objects.for_account(account))


def smart_list_count(*, account: Account, smart: SmartList) -> int:
    filterset = contact_list(account=account, params=QueryDict(smart.query))
    return filterset.qs.order_by().count() if filterset.is_valid() else 0


def trash_list(*, account: Account) -> QuerySet[Contact]:
    return (
        Contact.objects.for_account(account)
        .in_trash()
        .filter(merged_into__isnull=True)
        .select_related("deleted_by")
        .order_by("-deleted_at", "-id")
    )


def person_reached_at(
    account_id: int, *, email: str = "", phone_digits: str = ""
) -> Contact | None:
    """The live person with this email address, else this phone (its digits, the indexed
    column): the oldest such record, and for a record merged away its survivor. What a
    lead email, a hotline caller or an open-house visitor is matched by."""
    alive = Contact.objects.for_account(account_id).alive()
    found: Contact | None = None
    if email:
        with_email = Email.objects.for_account(account_id).filter(address=email.strip().lower())
        found = alive.filter(pk__in=with_email.values("contact_id")).order_by("pk").first()
    if found is None and phone_digits:
        with_phone = Phone.objects.for_account(account_id).filter(digits=phone_digits)
        found = alive.filter(pk__in=with_phone.values("contact_id")).order_by("pk").first()
    seen: set[int] = set()
    while found is not None and found.merged_into_id is not None and found.pk not in seen:
        seen.add(found.pk)
        found = alive.filter(pk=found.merged_into_id).first()
    return found
