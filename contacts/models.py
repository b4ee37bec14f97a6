"""People. The contacts issue grows this record; the foundation needs its core
so that categories have something to tag and the demo has people in it."""

from __future__ import annotations

from django.db import models

from crm.models import Category, TenantModel


class Database(models.TextChoices):
    CONTACTS = "contacts", "Contacts"
    PROSPECTS = "prospects", "Prospects"


class Contact(TenantModel):
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    database = models.CharField(max_length=16, choices=Database.choices, default=Database.CONTACTS)
    categories = models.ManyToManyField(
        Category, through="ContactCategory", related_name="contacts", blank=True
    )
    last_contacted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "database", "last_contacted_at"]),
            models.Index(fields=["account", "last_name", "first_name"]),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or "(no name)"


class ContactCategory(TenantModel):
    """A person's category; a row of its own so it carries ``account`` like every child row."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="category_links")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="contact_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "category"], name="contact_category_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} in {self.category_id}"
