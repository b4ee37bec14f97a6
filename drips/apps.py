from typing import Any

from django.apps import AppConfig


def _seed(sender: Any, account: Any, **kwargs: Any) -> None:
    from drips.library import library_seed, sequences_seed

    library_seed(account=account)
    sequences_seed(account=account)


def _stop_on_unsubscribe(sender: Any, email: Any, **kwargs: Any) -> None:
    from drips.sequences import stop_all

    stop_all(email.contact, reason=f"Unsubscribed {email.address}")


def _from_email_service(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """django-anymail tracking events: bounces, complaints, unsubscribes."""
    from drips.bounces import receive_service_event

    receive_service_event(event, esp_name)


def _bounce_by_webhook(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """django-anymail inbound mail to one of our return paths is a delivery report."""
    message = event.message
    recipient = getattr(message, "envelope_recipient", None) or ""
    if recipient.lower().startswith("bounce+"):
        from drips.bounces import receive_report

        receive_report(message.as_bytes())


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
        from anymail.signals import inbound, tracking

        tracking.connect(_from_email_service, dispatch_uid="drips_tracking")
        inbound.connect(_bounce_by_webhook, dispatch_uid="drips_bounce_inbound")
        from contacts import bulk_actions
        from drips import campaigns, views, views_campaigns  # noqa: F401  (registers the job)

        bulk_actions.register("drip_enroll", "Put on a drip", views.enroll_from_list)
        bulk_actions.register(
            "send_email", "Send an email or eCard", views_campaigns.start_from_list
        )
