from __future__ import annotations

from typing import Any

from django import template
from django.template.base import NodeList, Parser, Token
from django.template.context import Context

from crm import selectors
from crm.audit_display import describe

register = template.Library()


@register.inclusion_tag("crm/_history.html", takes_context=True)
def record_history(context: Context, record: Any) -> dict[str, Any]:
    """The audit trail of one record, for the bottom of its page."""
    request = context["request"]
    entries = selectors.record_history(account=request.account, instance=record)
    return {"entries": describe(entries)}


class IncomeNode(template.Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        membership = context.get("membership")
        if membership is None or not membership.can_see_income:
            return ""
        return f"<span data-income>{self.nodelist.render(context)}</span>"


@register.tag
def income(parser: Parser, token: Token) -> IncomeNode:
    """``{% income %}$12,400{% endincome %}``: rendered only for members who see income.

    Hidden income is absent from the HTML, not merely hidden by CSS.
    """
    nodelist = parser.parse(("endincome",))
    parser.delete_first_token()
    return IncomeNode(nodelist)
