from __future__ import annotations

import datetime

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
