"""How long a caller or texter waits: the hotline webhooks timed, a benchmark to run by
hand (not a test).

Sets up an account of its own with a Twilio connection, a number and a listing code,
then sends ``--requests`` signed webhook requests of each kind through the whole Django
stack (middleware, signature check, the database, TwiML) and prints the median and 90th
percentile. Follow-up work is queued on the configured broker as in production (and
purged afterwards); the worker's part is not what the caller waits for.
"""

from __future__ import annotations

import statistics
import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client
from twilio.request_validator import RequestValidator

from callcapture.models import ListingCode, TwilioConnection, TwilioNumber
from crm.audit import audit_suspended
from crm.celery import app as celery_app
from crm.crypto import encrypt
from crm.models import Account
from crm.services import account_create, user_create
from crm.tenancy import rls_bypass, tenant_context

TOKEN = "bench-token"


class Command(BaseCommand):
    help = "Time the hotline's Twilio webhooks (median and p90)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=300)
        parser.add_argument("--keep", action="store_true", help="Keep the account afterwards.")

    def handle(self, *args: Any, **options: Any) -> None:
        tag = uuid.uuid4().hex[:8]
        owner = user_create(
            email=f"bench-hotline-{tag}@example.com", password=tag, full_name="Bench"
        )
        account = account_create(name=f"Hotline benchmark {tag}", owner=owner)
        number = f"+1555{int(tag, 16) % 10**7:07d}"
        with tenant_context(account.pk):
            link = TwilioConnection.objects.create(
                account=account, account_sid="AC" + "0" * 32, auth_token_encrypted=encrypt(TOKEN)
            )
            TwilioNumber.objects.create(account=account, connection=link, e164=number)
            ListingCode.objects.create(account=account, code="999", property_street="1 Bench St",
                                       price=400000, beds=3)  # fmt: skip
        client, validator = Client(SERVER_NAME="localhost"), RequestValidator(TOKEN)
        celery_app.conf.task_always_eager = False

        def post(path: str, params: dict[str, str]) -> float:
            signature = validator.compute_signature(f"http://localhost{path}", params)
            started = time.perf_counter()
            response = client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            return elapsed * 1000

        kinds: dict[str, list[float]] = {"sms code": [], "voice greeting": [], "voice code": []}
        for n in range(options["requests"]):
            sender = f"+1720{n:07d}"
            kinds["sms code"].append(
                post(
                    "/twilio/sms/",
                    {"MessageSid": f"SM{tag}{n}", "From": sender, "To": number, "Body": "999"},
                )
            )
            call = {"CallSid": f"CA{tag}{n}", "From": sender, "To": number}
            kinds["voice greeting"].append(post("/twilio/voice/", call))
            code = {**call, "Digits": "999"}
            kinds["voice code"].append(post("/twilio/voice/code/?try=1", code))
        self.stdout.write(f"{options['requests']} requests of each kind on {connection.vendor}:")
        for kind, times in kinds.items():
            times.sort()
            p90 = times[int(len(times) * 0.9) - 1]
            self.stdout.write(
                f"  {kind:15s} median {statistics.median(times):6.1f} ms   p90 {p90:6.1f} ms"
            )
        celery_app.control.purge()
        if not options["keep"]:
            with rls_bypass(), audit_suspended():
                Account.objects.filter(pk=account.pk).delete()
