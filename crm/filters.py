from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from crm.models import AuditAction, AuditEntry, User

_DATE = forms.DateInput(attrs={"type": "date"})


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(queryset=User.objects.none(), label="User")
    record_type = django_filters.ModelChoiceFilter(
        field_name="content_type", queryset=ContentType.objects.none(), label="Record type"
    )
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    since = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label="From"
    )
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="To")

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def __init__(self, *args: Any, account_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["actor"].queryset = User.objects.filter(
            memberships__account_id=account_id
        ).order_by("full_name", "email")
        used = AuditEntry.objects.for_account(account_id).values("content_type").distinct()
        self.filters["record_type"].queryset = ContentType.objects.filter(pk__in=used)
        self.filters["record_type"].field.label_from_instance = (  # type: ignore[attr-defined]
            lambda ct: (
                str(ct.model_class()._meta.verbose_name).capitalize()
                if ct.model_class()
                else ct.model
            )
        )

    @property
    def qs(self) -> QuerySet[AuditEntry]:
        return super().qs  # type: ignore[no-any-return]
