from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils.dateformat import format as date_format

from contacts.vcard import NO_YEAR

register = template.Library()


@register.filter
def day_of_year(value: datetime.date | None) -> str:
    """A birthday or anniversary: "March 4, 1961", or "March 4" when the year is unknown."""
    if value is None:
        return ""
    return date_format(value, "F j" if value.year == NO_YEAR else "F j, Y")


@register.simple_tag(takes_context=True)
def row_badges(context: Any, contact: Any) -> str:
    """The badges other apps registered for a list row (record_panels.register_row_badge)."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from contacts.record_panels import ROW_BADGES

    request = context.get("request")
    html = "".join(render_to_string(t, {"contact": contact}, request=request) for t in ROW_BADGES)
    return mark_safe(html)
