from __future__ import annotations

from django import forms

from drips.models import ContentItem


class ContentItemForm(forms.ModelForm):
    class Meta:
        model = ContentItem
        fields = ["title", "series", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14, "class": "mono"})}
