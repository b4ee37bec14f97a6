"""Call-capture rows for the shared world: a Twilio connection and number, a listing
code with a photo, a texting status, a hotline text, a text message and a click-to-dial
call; texts carry the marker. The auth token is ``<marker>-twilio-token``."""

from __future__ import annotations

from django.core.files.base import ContentFile

from callcapture.models import (
    BridgeCall,
    HotlineEvent,
    ListingCode,
    ListingPhoto,
    TextingStatus,
    TextMessage,
    TwilioConnection,
    TwilioNumber,
)
from contacts.models import Contact
from crm.crypto import encrypt
from crm.models import Account, User

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def hotline_number(account: Account) -> str:
    return f"+1303555{account.pk % 10000:04d}"


def populate(account: Account, owner: User, marker: str) -> None:
    person = Contact.objects.get(account=account, first_name=f"{marker}first")
    token = f"{marker}-twilio-token"
    connection = TwilioConnection.objects.create(
        account=account, account_sid="AC" + f"{account.pk:032d}",
        auth_token_encrypted=encrypt(token), token_hint=token[-4:],
    )  # fmt: skip
    number = TwilioNumber.objects.create(
        account=account,
        connection=connection,
        e164=hotline_number(account),
        label=f"{marker} signs",
    )
    listing = ListingCode.objects.create(
        account=account, code="999", property_street=f"123 {marker} Main St",
        property_city="Fort Collins", property_state="CO", price=425000, beds=3,
        baths="2.5", description=f"{marker} bungalow with a porch",
    )  # fmt: skip
    ListingPhoto.objects.create(
        account=account, listing=listing, caption=f"{marker} front",
        image=ContentFile(PNG, name=f"{marker}.png"),
    )  # fmt: skip
    TextingStatus.objects.create(account=account, e164="+19705550999", consent_source=marker)
    HotlineEvent.objects.create(
        account=account, kind="text", sid=f"SM{marker}", from_number="+19705550999",
        to_number=number.e164, body=f"{marker} 999", code="999", listing=listing,
    )  # fmt: skip
    TextMessage.objects.create(
        account=account, contact=person, direction="out", body=f"hello {marker}",
        from_number=number.e164, to_number="+19705550123", status="sent",
    )  # fmt: skip
    BridgeCall.objects.create(
        account=account, contact=person, user=owner, agent_number="+19705550100",
        to_number="+19705550123", from_number=number.e164, status=f"{marker} done",
    )  # fmt: skip
