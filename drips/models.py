"""Drips and email: the account's content library (letters, emails, eCards, flyers)."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from crm.models import TenantModel


class ContentKind(models.TextChoices):
    EMAIL = "email", "Email"
    LETTER = "letter", "Printed letter"
    ECARD = "ecard", "eCard"
    FLYER = "flyer", "Flyer"


class ContentItem(TenantModel):
    """One piece of the library, with merge fields ({{ first_name|default:"there" }}).
    Seeded items keep their ``key``; people copy and edit them."""

    key = models.SlugField(max_length=60, blank=True, default="")
    kind = models.CharField(max_length=8, choices=ContentKind.choices)
    series = models.CharField(max_length=80, blank=True)
    title = models.CharField(max_length=120)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "series", "title"]
        indexes = [models.Index(fields=["account", "kind", "series"], name="content_by_kind")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("content_item", args=[self.pk])
