from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from callcapture.models import ListingCode, TwilioNumber
from tests.callcapture.fake_twilio import FakeTwilio
from tests.world import World
from tests.world_extras.callcapture import hotline_number

AGENT_MOBILE = "+19705550100"


@dataclass
class Hotline:
    world: World
    number: str
    token: str
    listing: ListingCode
    client: Client
    capture: Any  # django_capture_on_commit_callbacks: the worker's tasks run (eagerly)

    def post(self, path: str, params: dict[str, str], *, token: str | None = None,
             signature: str | None = None, query: str = "") -> Any:  # fmt: skip
        url = f"http://testserver{path}{'?' + query if query else ''}"
        sign = signature
        if sign is None:
            sign = RequestValidator(token or self.token).compute_signature(url, params)
        with self.capture(execute=True):
            return self.client.post(f"{path}{'?' + query if query else ''}", params,
                                    HTTP_X_TWILIO_SIGNATURE=sign)  # fmt: skip

    def sms(self, body: str, sender: str = "+17205550142", sid: str = "SM1", **extra: str) -> Any:
        return self.post("/twilio/sms/", {"MessageSid": sid, "From": sender, "To": self.number,
                                          "Body": body, **extra})  # fmt: skip

    def call(self, path: str = "/twilio/voice/", sender: str = "+17205550142", sid: str = "CA1",
             query: str = "", **extra: str) -> Any:  # fmt: skip
        return self.post(path, {"CallSid": sid, "From": sender, "To": self.number, **extra},
                         query=query)  # fmt: skip


@pytest.fixture
def hotline(
    world: World, fake_twilio: FakeTwilio, django_capture_on_commit_callbacks: Any
) -> Hotline:
    world.alice.mobile_phone = AGENT_MOBILE
    world.alice.save(update_fields=["mobile_phone"])
    number = TwilioNumber.objects.get(account=world.a)
    assert number.e164 == hotline_number(world.a)
    listing = ListingCode.objects.get(account=world.a, code="999")
    return Hotline(
        world, number.e164, "alpha-twilio-token", listing, Client(),
        django_capture_on_commit_callbacks,
    )  # fmt: skip
