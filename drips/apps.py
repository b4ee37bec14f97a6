from typing import Any

from django.apps import AppConfig


def _seed(sender: Any, account: Any, **kwargs: Any) -> None:
    from drips.library import library_seed

    library_seed(account=account)


class DripsConfig(AppConfig):
    name = "drips"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crm.signals import account_created

        account_created.connect(_seed, dispatch_uid="drips_library_seed")
