"""Writes of the call-capture settings: the Twilio connection, numbers, listing codes,
photos; and starting a click-to-dial call."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from callcapture import listings
from callcapture.models import (
    BridgeCall,
    ListingCode,
    ListingPhoto,
    TwilioConnection,
    TwilioNumber,
)
from contacts.models import Contact, Phone, PhoneStatus
from contacts.phones import parse_phone
from contacts.reachability import Channel, reach
from crm.crypto import encrypt
from crm.models import Account, User
from crm.tenancy import rls_bypass

_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
MAX_PHOTO = 8 * 1024 * 1024


def connection_save(
    *, account: Account, account_sid: str, auth_token: str, **options: Any
) -> TwilioConnection:
    """The account's Twilio project. The token is stored encrypted and never shown again;
    a blank token keeps the one stored."""
    account_sid = account_sid.strip()
    if not _SID.match(account_sid):
        raise ValidationError(
            {"account_sid": "An account SID is AC followed by 32 letters and digits."}
        )
    connection = TwilioConnection.objects.for_account(account).first() or TwilioConnection(
        account=account
    )
    token = auth_token.strip()
    if not token and not connection.pk:
        raise ValidationError({"auth_token": "Paste the auth token from the Twilio console."})
    connection.account_sid = account_sid
    if token:
        connection.auth_token_encrypted = encrypt(token)
        connection.token_hint = token[-4:]
    for name, value in options.items():
        setattr(connection, name, value)
    connection.save()
    return connection


def number_add(*, account: Account, e164: str, label: str = "") -> TwilioNumber:
    connection = TwilioConnection.objects.for_account(account).first()
    if connection is None:
        raise ValidationError("Connect your Twilio account first.")
    number = parse_phone(e164, account.default_region or "US").e164
    if not number or ";" in number:
        raise ValidationError({"e164": "Give the number as Twilio shows it, e.g. +1 970 555 0123."})
    with rls_bypass():  # numbers are unique across accounts: they route the webhooks
        taken = TwilioNumber.objects.filter(e164=number).exists()
    if taken:
        raise ValidationError({"e164": "That number is already connected."})
    return TwilioNumber.objects.create(
        account=account, connection=connection, e164=number, label=label.strip()[:60]
    )


def listing_code_check(account: Account, code: str, pk: int | None = None) -> str:
    code = code.strip()
    if not re.fullmatch(r"\d{3,6}", code):
        raise ValidationError({"code": "A code is 3 to 6 digits, e.g. 999."})
    clash = ListingCode.objects.for_account(account).filter(code=code)
    if pk is not None:
        clash = clash.exclude(pk=pk)
    if clash.exists():
        raise ValidationError({"code": f"Code {code} is already used by another listing."})
    return code


def next_free_code(account: Account) -> str:
    used = set(ListingCode.objects.for_account(account).values_list("code", flat=True))
    for candidate in range(101, 1000):
        if str(candidate) not in used:
            return str(candidate)
    return ""


def photo_add(*, listing: ListingCode, upload: UploadedFile, caption: str = "") -> ListingPhoto:
    if upload.size and upload.size > MAX_PHOTO:
        raise ValidationError({"image": "Photos up to 8 MB, please."})
    head = upload.read(16)
    upload.seek(0)
    kinds = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"RIFF")
    if not head.startswith(kinds):
        raise ValidationError({"image": "Upload a JPEG, PNG, WebP or GIF photo."})
    position = listing.photos.count()
    return ListingPhoto.objects.create(
        account_id=listing.account_id, listing=listing, image=upload, caption=caption[:120],
        position=position,
    )  # fmt: skip


def dial_start(*, contact: Contact, phone: Phone, actor: User) -> BridgeCall:
    """Ring the agent's mobile, then connect the person; BAD and DNC numbers refuse."""
    if phone.contact_id != contact.pk:
        raise ValidationError("That phone belongs to someone else.")
    if phone.status != PhoneStatus.OK:
        why = "asked not to be called (DNC)" if phone.status == PhoneStatus.DNC else "marked BAD"
        raise ValidationError(f"{phone.display} is {why}.")
    found = reach(contact, Channel.CALL)
    if not found.ok:
        raise ValidationError(f"Cannot call {contact}: {found.reason}.")
    if not phone.e164:
        raise ValidationError(f"{phone.raw} is not a complete number; dial it by hand.")
    number = TwilioNumber.objects.for_account(contact.account_id).first()
    if number is None:
        raise ValidationError("Connect a Twilio number first (Call capture → Settings).")
    agent = parse_phone(actor.mobile_phone, "US").e164 if actor.mobile_phone else ""
    agent = agent or listings.agent_mobile(contact.account_id)
    if not agent:
        raise ValidationError("Add your mobile number to your profile: Twilio rings it first.")
    with transaction.atomic():
        call = BridgeCall.objects.create(
            account_id=contact.account_id, contact=contact, phone=phone, user=actor,
            agent_number=agent, to_number=phone.e164, from_number=number.e164,
        )  # fmt: skip
        from callcapture.tasks import start_bridge_call

        transaction.on_commit(
            lambda: start_bridge_call.delay(account_id=contact.account_id, call_id=call.pk)
        )
    return call
