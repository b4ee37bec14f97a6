from typing import Any

from django.http import HttpRequest

from crm.models import FLAG_NAMES


def tenant(request: HttpRequest) -> dict[str, Any]:
    """The current account, the switcher's list and the flags, for every template."""
    membership = getattr(request, "membership", None)
    return {
        "account": getattr(request, "account", None),
        "membership": membership,
        "memberships": getattr(request, "memberships", []),
        "can": {
            flag.removeprefix("can_"): bool(getattr(membership, flag, False)) for flag in FLAG_NAMES
        },
    }
