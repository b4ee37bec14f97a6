"""What the drips pages warn about: the agent's own merge fields left empty."""

from __future__ import annotations

from django import template

from crm.models import Account
from drips import merge

register = template.Library()


@register.simple_tag
def agent_gaps(account: Account | None) -> list[str]:
    """Profile details the seeded letters use ({{ agent_phone }}) that the agent lacks:
    anything using them waits instead of going out with a blank."""
    if account is None:
        return []
    agent = merge.agent_of(account)
    if agent is None:
        return []
    return [label for label, value in (("mobile phone", agent.mobile_phone),) if not value]
