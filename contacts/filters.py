"""The contacts list's filters: what an agent asks of the database every day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import django_filters
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from contacts.models import (
    Address,
    AddressStatus,
    Contact,
    ContactCategory,
    Database,
    Email,
    EmailStatus,
    Phone,
    PhoneStatus,
)
from contacts.search import search_term
from crm.models import Category

MISSING_CHOICES = [
    ("mailing", "No mailing address"),
    ("phone", "No phone"),
    ("email", "No email"),
    ("all", "None of the three"),
]
PHONE_CHOICES = [("bad", "Has a BAD phone"), ("dnc", "Has a DNC phone")]
OCCASION_CHOICES = [
    ("birthday_week", "Birthday in the next 7 days"),
    ("birthday_month", "Birthday this month"),
    ("anniversary_week", "Home anniversary in the next 7 days"),
    ("anniversary_month", "Home anniversary this month"),
]
SORT_CHOICES = [
    ("calldown", "Call-down (quietest first)"),
    ("name", "Name"),
    ("-created", "Newest first"),
    ("created", "Oldest first"),
]
DATABASE_CHOICES = [*Database.choices, ("all", "Both databases")]


def _has(model: type, **conditions: Any) -> Exists:
    return Exists(model.objects.filter(contact=OuterRef("pk"), **conditions))  # type: ignore[attr-defined]


def _month_day_ranges(days: int) -> list[tuple[int, int]]:
    """MMDD ranges covering the next ``days`` days, split where the year wraps."""
    today = timezone.localdate()
    end = today + timedelta(days=days - 1)
    start_md, end_md = today.month * 100 + today.day, end.month * 100 + end.day
    if end_md >= start_md:
        return [(start_md, end_md)]
    return [(start_md, 1231), (101, end_md)]


# Filters that apps to the right add (prospects: stage, lead source, lead type). Each is a
# factory taking the account id, so choices such as lead sources are the account's own.
ExtraFilter = Callable[[int], django_filters.Filter]
_EXTRA_FILTERS: dict[str, ExtraFilter] = {}


def register_filter(name: str, factory: ExtraFilter) -> None:
    _EXTRA_FILTERS[name] = factory


def extra_filter_names() -> tuple[str, ...]:
    return tuple(_EXTRA_FILTERS)


class ContactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label="Search")
    database = django_filters.ChoiceFilter(
        choices=DATABASE_CHOICES, method="filter_database", empty_label=None
    )
    cat_any = django_filters.ModelMultipleChoiceFilter(
        queryset=Category.objects.none(), method="filter_cat_any", label="In any of"
    )
    cat_all = django_filters.ModelMultipleChoiceFilter(
        queryset=Category.objects.none(), method="filter_cat_all", label="In all of"
    )
    cat_none = django_filters.ModelMultipleChoiceFilter(
        queryset=Category.objects.none(), method="filter_cat_none", label="In none of"
    )
    missing = django_filters.ChoiceFilter(
        choices=MISSING_CHOICES, method="filter_missing", label="Missing", empty_label="Any"
    )
    phone = django_filters.ChoiceFilter(
        choices=PHONE_CHOICES, method="filter_phone", label="Phones", empty_label="Any"
    )
    email_status = django_filters.ChoiceFilter(
        choices=EmailStatus.choices,
        method="filter_email_status",
        label="Email status",
        empty_label="Any",
    )
    stale_days = django_filters.NumberFilter(
        method="filter_stale", label="Not contacted for (days)", min_value=1
    )
    occasion = django_filters.ChoiceFilter(
        choices=OCCASION_CHOICES,
        method="filter_occasion",
        label="Birthday or anniversary",
        empty_label="Any",
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_sort", empty_label=None, label="Order"
    )

    class Meta:
        model = Contact
        fields: list[str] = []

    def __init__(self, data: Any = None, *args: Any, account_id: int, **kwargs: Any) -> None:
        data = data.copy() if data is not None else {}
        if hasattr(data, "setdefault"):
            if not data.get("database"):
                data["database"] = Database.CONTACTS
            if not data.get("sort"):
                data["sort"] = "calldown"
        super().__init__(data, *args, **kwargs)
        for name, factory in _EXTRA_FILTERS.items():
            self.filters[name] = factory(account_id)
            self.filters[name].model = Contact
            self.filters[name].parent = self
        categories = Category.objects.for_account(account_id)
        for name in ("cat_any", "cat_all", "cat_none"):
            self.filters[name].queryset = categories
            # Setting the field's queryset also fills its widget's choices: keep that widget.
            self.form.fields[name].queryset = categories  # type: ignore[attr-defined]
            self.form.fields[name].widget.attrs["size"] = 4
        self.form.fields["stale_days"].widget.attrs.update({"placeholder": "e.g. 90", "min": 1})
        self.form.fields["q"].widget.attrs.update(
            {"placeholder": "Name, phone, email or street", "autocomplete": "off", "type": "search"}
        )

    @property
    def qs(self) -> QuerySet[Contact]:
        queryset = super().qs
        if "sort" not in (getattr(self.form, "cleaned_data", None) or {}):
            queryset = calldown_order(queryset)
        return queryset

    def filter_search(
        self, queryset: QuerySet[Contact], name: str, value: str
    ) -> QuerySet[Contact]:
        term = search_term(value)
        if term is None:
            return queryset
        # search_text is stored folded to lower case, so a plain LIKE uses the trigram index.
        return queryset.filter(search_text__contains=term.text)

    def filter_database(
        self, queryset: QuerySet[Contact], name: str, value: str
    ) -> QuerySet[Contact]:
        return queryset if value == "all" else queryset.filter(database=value)

    def filter_cat_any(
        self, queryset: QuerySet[Contact], name: str, value: Any
    ) -> QuerySet[Contact]:
        if not value:
            return queryset
        return queryset.filter(_has(ContactCategory, category__in=list(value)))

    def filter_cat_all(
        self, queryset: QuerySet[Contact], name: str, value: Any
    ) -> QuerySet[Contact]:
        for category in value or []:
            queryset = queryset.filter(_has(ContactCategory, category=category))
        return queryset

    def filter_cat_none(
        self, queryset: QuerySet[Contact], name: str, value: Any
    ) -> QuerySet[Contact]:
        if not value:
            return queryset
        return queryset.exclude(_has(ContactCategory, category__in=list(value)))

    def filter_missing(
        self, queryset: QuerySet[Contact], name: str, value: str
    ) -> QuerySet[Contact]:
        no_mailing = ~_has(Address, is_mailing=True, status=AddressStatus.OK)
        no_phone = ~_has(Phone)
        no_email = ~_has(Email)
        conditions = {
            "mailing": no_mailing,
            "phone": no_phone,
            "email": no_email,
            "all": no_mailing & no_phone & no_email,
        }
        return queryset.filter(conditions[value]) if value in conditions else queryset

    def filter_phone(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        status = {"bad": PhoneStatus.BAD, "dnc": PhoneStatus.DNC}.get(value)
        return queryset.filter(_has(Phone, status=status)) if status else queryset

    def filter_email_status(
        self, queryset: QuerySet[Contact], name: str, value: str
    ) -> QuerySet[Contact]:
        return queryset.filter(_has(Email, status=value)) if value else queryset

    def filter_stale(self, queryset: QuerySet[Contact], name: str, value: Any) -> QuerySet[Contact]:
        if not value:
            return queryset
        cutoff = timezone.now() - timedelta(days=int(value))
        return queryset.filter(Q(last_contacted_at__lt=cutoff) | Q(last_contacted_at__isnull=True))

    def filter_occasion(
        self, queryset: QuerySet[Contact], name: str, value: str
    ) -> QuerySet[Contact]:
        if not value:
            return queryset
        what, _, span = value.partition("_")
        column = "birthday_md" if what == "birthday" else "anniversary_md"
        if span == "month":
            month = timezone.localdate().month
            ranges = [(month * 100 + 1, month * 100 + 31)]
        else:
            ranges = _month_day_ranges(7)
        condition = Q()
        for low, high in ranges:
            condition |= Q(**{f"{column}__range": (low, high)})
        return queryset.filter(condition)

    def filter_sort(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        if value == "name":
            return queryset.order_by("last_name", "first_name", "id")
        if value == "-created":
            return queryset.order_by("-created_at", "-id")
        if value == "created":
            return queryset.order_by("created_at", "id")
        return calldown_order(queryset)


def calldown_order(queryset: QuerySet[Contact]) -> QuerySet[Contact]:
    """The book's call-down list: never contacted first, then the longest silent."""
    return queryset.order_by(F("last_contacted_at").asc(nulls_first=True), "id")
