"""The "send a test lead" button: a lead email in the Lead Metadata convention, from
this account's own feed address, so the whole path (store, parse, prospect, alert) runs."""

from __future__ import annotations

import secrets
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

from crm.models import Account, User
from emailfeed.ingest import feed_settings


def build(account: Account, user: User | None) -> bytes:
    tag = secrets.token_hex(3)
    feed = feed_settings(account.pk)
    message = EmailMessage()
    message["From"] = "Test Lead Service <test-leads@example.com>"
    message["To"] = feed.address
    message["Subject"] = f"Test lead {tag} for {account.name}"
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = make_msgid(idstring=f"testlead-{tag}", domain="example.com")
    text = (f"Name: Test Lead {tag}\nEmail: test.lead.{tag}@example.com\nPhone: 970-555-0188\n"
            "Property: 123 Test St, Fort Collins, CO 80521\n"
            "Message: This is a test lead from your CRM's settings page.\n")  # fmt: skip
    message.set_content(text)
    meta = {
        "lead_information_version": "1.0", "lead_source": "Test lead", "lead_type": "Buyer",
        "lead_name": f"Test Lead {tag}", "lead_email": f"test.lead.{tag}@example.com",
        "lead_phone": "970-555-0188", "lead_message": "This is a test lead from your CRM.",
        "lead_property_address": "123 Test St", "lead_property_city": "Fort Collins",
        "lead_property_state": "CO", "lead_property_zip": "80521",
    }  # fmt: skip
    head = "".join(f'<meta name="{k}" content="{v}">' for k, v in meta.items())
    body = "<br>".join(text.splitlines())
    message.add_alternative(f"<html><head>{head}</head><body>{body}</body></html>", subtype="html")
    return message.as_bytes()
