"""Twilio's REST API (texts, calls, Lookup) for one account's connection.

The HTTP client is injectable: with ``TWILIO_API_BASE`` set (tests, a staging fake),
every ``https://<product>.twilio.com/...`` request goes to ``<base>/<product>/...``
instead, through the same twilio library code path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from callcapture.models import TwilioConnection

_TWILIO_HOST = re.compile(r"^https://([a-z0-9-]+)\.twilio\.com")
TIMEOUT = 10.0

# Errors that say the number itself is wrong (not a passing failure): the phone is BAD.
INVALID_NUMBER_CODES = {21211, 21214, 21217, 21401, 21407, 21421, 21614, 13224}
UNSUBSCRIBED_CODE = 21610  # the person texted STOP to this number


class RedirectingHttpClient(TwilioHttpClient):
    """Twilio's own client, sending to ``base`` instead of twilio.com."""

    def __init__(self, base: str) -> None:
        super().__init__(timeout=TIMEOUT)
        self.base = base.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        url = _TWILIO_HOST.sub(lambda m: f"{self.base}/{m.group(1)}", url)
        return super().request(method, url, *args, **kwargs)


def client_for(connection: TwilioConnection) -> Client:
    base = getattr(settings, "TWILIO_API_BASE", "")
    http = RedirectingHttpClient(base) if base else TwilioHttpClient(timeout=TIMEOUT)
    return Client(connection.account_sid, connection.auth_token, http_client=http)


@dataclass(frozen=True)
class Sent:
    sid: str = ""
    error: str = ""
    code: int | None = None

    @property
    def ok(self) -> bool:
        return bool(self.sid)

    @property
    def bad_number(self) -> bool:
        return self.code in INVALID_NUMBER_CODES


# Twilio unreachable (network, DNS, timeouts): a failed send to show, never an exception
# that reaches a caller's webhook or the agent's page.
NETWORK_ERRORS = (OSError, TwilioException)


def _failure(exc: TwilioRestException) -> Sent:
    return Sent(
        error=str(exc.msg or exc)[:200], code=exc.code if isinstance(exc.code, int) else None
    )


def send_text(
    connection: TwilioConnection, *, from_: str, to: str, body: str, callback: str = ""
) -> Sent:
    options: dict[str, Any] = {"from_": from_, "to": to, "body": body}
    if callback:
        options["status_callback"] = callback
    try:
        message = client_for(connection).messages.create(**options)
    except TwilioRestException as exc:
        return _failure(exc)
    except NETWORK_ERRORS as exc:
        return Sent(error=f"Twilio could not be reached: {type(exc).__name__}")
    return Sent(sid=message.sid or "")


def start_call(
    connection: TwilioConnection, *, from_: str, to: str, url: str, callback: str
) -> Sent:
    try:
        call = client_for(connection).calls.create(
            from_=from_, to=to, url=url, status_callback=callback, method="POST"
        )
    except TwilioRestException as exc:
        return _failure(exc)
    except NETWORK_ERRORS as exc:
        return Sent(error=f"Twilio could not be reached: {type(exc).__name__}")
    return Sent(sid=call.sid or "")


def caller_name(connection: TwilioConnection, e164: str) -> str:
    """The CNAM name Twilio Lookup has for the number, or ""."""
    try:
        found = client_for(connection).lookups.v2.phone_numbers(e164).fetch(fields="caller_name")
    except (TwilioRestException, *NETWORK_ERRORS):
        return ""
    data = found.caller_name or {}
    return str(data.get("caller_name") or "").strip()
