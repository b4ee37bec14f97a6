from typing import Any

from django.apps import AppConfig


def _seed(sender: Any, account: Any, **kwargs: Any) -> None:
    from drips.library import library_seed, sequences_seed

    library_seed(account=account)
    sequences_seed(account=account)


def _stop_on_unsubscribe(sender: Any, email: Any, **kwargs: Any) -> None:
    from drips.sequences import stop_all

    stop_all(email.contact, reason=f"Unsubscribed {email.address}")


class DripsConfig(AppConfig):
    name = "drips"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crm.signals import account_created

        account_created.connect(_seed, dispatch_uid="drips_library_seed")
        from drips.unsubscribe import email_unsubscribed

        email_unsubscribed.connect(_stop_on_unsubscribe, dispatch_uid="drips_stop_unsubscribed")
        from contacts import record_panels
        from drips import panels

        record_panels.register(
            order=30, template="drips/_person_panel.html", context=panels.person_panel
        )
