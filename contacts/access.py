"""Fetch helpers for people: another account's id is a 404."""

from __future__ import annotations

from django.http import Http404

from contacts.models import Contact, Phone
from contacts.selectors import contact_detail
from crm.access import tenant_get
from crm.types import TenantRequest


def contact_get(request: TenantRequest, pk: int, *, include_trash: bool = False) -> Contact:
    contact = contact_detail(account=request.account, pk=pk)
    if contact is None or (contact.in_trash and not include_trash):
        raise Http404("No such person.")
    return contact


def phone_get(request: TenantRequest, contact: Contact, pk: int) -> Phone:
    return tenant_get(request, Phone, pk, contact=contact)
