from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from prospects.models import ImportProfile


def import_menu(request: HttpRequest) -> dict[str, Any]:
    """The Import menu's items (one per profile), read only when a page shows the menu."""
    account = getattr(request, "account", None)
    if account is None:
        return {"import_menu": []}
    return {
        "import_menu": SimpleLazyObject(
            lambda: list(ImportProfile.objects.for_account(account).filter(in_menu=True))
        )
    }
