from typing import Any

from django.apps import AppConfig


def _from_email_service(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """django-anymail's inbound signal: route by the envelope recipient (the feed address
    the mail server delivered to), never by addresses a sender wrote into the message."""
    import logging

    from crm.tenancy import tenant_context
    from emailfeed.ingest import feed_for_address, ingest
    from emailfeed.models import Via

    message = event.message
    recipient = getattr(message, "envelope_recipient", None) or ""
    if recipient.lower().startswith("bounce+"):
        return  # a delivery report to a drip email's return path: the drips app reads it
    feed = feed_for_address(recipient)
    if feed is None:
        logging.getLogger(__name__).warning("inbound mail for %r: no such feed", recipient)
        return
    with tenant_context(feed.account_id):
        ingest(feed.account_id, message.as_bytes(), Via.WEBHOOK)


class EmailfeedConfig(AppConfig):
    name = "emailfeed"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anymail.signals import inbound

        from crm.signals import account_created

        inbound.connect(_from_email_service, dispatch_uid="emailfeed_inbound")
        account_created.connect(_make_feed, dispatch_uid="emailfeed_feed")


def _make_feed(sender: Any, account: Any, **kwargs: Any) -> None:
    from emailfeed.ingest import feed_settings

    feed_settings(account.pk)
