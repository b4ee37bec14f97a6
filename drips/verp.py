"""VERP return paths: every email we send carries its own bounce address,
``bounce+<account>.<kind><id>.<signature>@EMAILFEED_DOMAIN``, so a bounce names the
very send (and person) it is about. The signature keeps anyone from forging a bounce
that would mark somebody's address dead."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "drips.verp"
DRIP, CAMPAIGN = "s", "r"  # a drip Send, a campaign Recipient
_TOKEN = re.compile(r"^(\d+)\.([sr])(\d+)\.([A-Za-z0-9]{10})$")


@dataclass(frozen=True)
class Ref:
    account_id: int
    kind: str
    id: int


def _signature(body: str) -> str:
    digest = salted_hmac(SALT, body, algorithm="sha256").digest()
    return base64.b32encode(digest).decode()[:10].lower()


def token(account_id: int, kind: str, pk: int) -> str:
    body = f"{account_id}.{kind}{pk}"
    return f"{body}.{_signature(body)}"


def address(account_id: int, kind: str, pk: int) -> str:
    domain = getattr(settings, "EMAILFEED_DOMAIN", "leads.localhost")
    return f"bounce+{token(account_id, kind, pk)}@{domain}"


def read(value: str) -> Ref | None:
    """The send a token (or a whole bounce address) names; None if forged or garbled."""
    value = value.strip().strip("<>")
    if "@" in value:
        value = value.split("@", 1)[0]
    if value.lower().startswith("bounce+"):
        value = value[len("bounce+") :]
    found = _TOKEN.match(value)
    if found is None:
        return None
    account, kind, pk, signature = found.groups()
    if not constant_time_compare(signature.lower(), _signature(f"{account}.{kind}{pk}")):
        return None
    return Ref(account_id=int(account), kind=kind, id=int(pk))
