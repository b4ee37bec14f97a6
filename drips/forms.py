from __future__ import annotations

from django import forms

from drips import merge
from drips.models import ContentItem


class ContentItemForm(forms.ModelForm):
    class Meta:
        model = ContentItem
        fields = ["title", "series", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14, "class": "mono"})}

    def _merge_checked(self, name: str) -> str:
        value: str = self.cleaned_data.get(name) or ""
        problems = merge.render(value, {}).problems
        if problems:
            raise forms.ValidationError(
                [*problems, f"Merge fields are: {', '.join(merge.FIELDS)}."]
            )
        return value

    def clean_subject(self) -> str:
        return self._merge_checked("subject")

    def clean_body(self) -> str:
        return self._merge_checked("body")
