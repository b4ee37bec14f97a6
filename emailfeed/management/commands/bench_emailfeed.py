"""The lead feed's speed, a benchmark to run by hand (not a test):

1. parsing: every sample email in tests/emailfeed/samples, parsed over and over in this
   process (one core), in messages per second;
2. end to end: a burst of ``--burst`` lead emails POSTed to the feed endpoint, with a
   real Celery worker (``--concurrency`` processes) on the configured Redis broker and a
   local fake Twilio; for each lead, the time from its POST to its SMS alert reaching
   Twilio: median and 90th percentile.

Needs Postgres and Redis (DATABASE_URL, CELERY_BROKER_URL=redis://…).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import uuid
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import Client
from django.utils import timezone

from crm.audit import audit_suspended
from crm.celery import app as celery_app
from crm.crypto import encrypt
from crm.models import Account
from crm.services import account_create, user_create
from crm.tenancy import rls_bypass, tenant_context
from emailfeed.ingest import feed_settings
from emailfeed.parsers import parse_bytes

SAMPLES = Path(settings.BASE_DIR) / "tests" / "emailfeed" / "samples"


def _lead(n: int, tag: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Agent Site <leads@site.example.com>"
    message["To"] = "agent@example.com"
    message["Subject"] = f"New inquiry {n}"
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = f"<bench-{tag}-{n}@example.com>"
    message.set_content(
        f"Name: Lead{n} Bench{tag}\nEmail: lead{n}.{tag}@example.com\n"
        f"Phone: 970-55{n // 10000 % 10}-{n % 10000:04d}\nProperty address: {n} Elm St\n"
        "Message: Please call me about this home.\n"
    )
    return message.as_bytes()


class Command(BaseCommand):
    help = "Time parsing over the samples and the feed end to end under a burst."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rounds", type=int, default=20, help="Passes over the samples.")
        parser.add_argument("--burst", type=int, default=500)
        parser.add_argument("--concurrency", type=int, default=settings.CELERY_WORKER_CONCURRENCY)
        parser.add_argument("--parse-only", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        self._parse_rate(options["rounds"])
        if not options["parse_only"]:
            self._end_to_end(options["burst"], options["concurrency"])

    def _parse_rate(self, rounds: int) -> None:
        raws = [p.read_bytes() for p in sorted(SAMPLES.rglob("*.eml"))]
        if not raws:
            raise CommandError(f"No samples in {SAMPLES}.")
        parse_bytes(raws[0])  # load the parsers
        started = time.perf_counter()
        for _ in range(rounds):
            for raw in raws:
                parse_bytes(raw)
        seconds = time.perf_counter() - started
        count = rounds * len(raws)
        self.stdout.write(
            f"parsing: {count:,} messages ({len(raws)} samples x {rounds}) in {seconds:.2f} s: "
            f"{count / seconds:,.0f} messages/s on one core"
        )

    def _end_to_end(self, burst: int, concurrency: int) -> None:
        from tests.callcapture.fake_twilio import start_fake_twilio

        broker = settings.CELERY_BROKER_URL
        if not broker.startswith("redis"):
            raise CommandError("End to end needs CELERY_BROKER_URL=redis://… (a real worker).")
        fake = start_fake_twilio()
        tag = uuid.uuid4().hex[:6]
        owner = user_create(email=f"bench-feed-{tag}@example.com", password=tag, full_name="Bench")
        owner.mobile_phone = "+19705550100"
        owner.save()
        account = account_create(name=f"Feed benchmark {tag}", owner=owner)
        # The SMS leaves through whichever app registered a text sender (call capture);
        # its Twilio rows are made through the app registry, not imported from a sibling.
        from django.apps import apps

        connection_model = apps.get_model("callcapture", "TwilioConnection")
        number_model = apps.get_model("callcapture", "TwilioNumber")
        with tenant_context(account.pk):
            link = connection_model.objects.create(
                account=account, account_sid="AC" + "1" * 32, auth_token_encrypted=encrypt("t")
            )
            number_model.objects.create(account=account, connection=link,
                                        e164=f"+1555{int(tag, 16) % 10**7:07d}")  # fmt: skip
            feed = feed_settings(account.pk)
        env = {**os.environ, "TWILIO_API_BASE": fake.url, "SITE_URL": "https://crm.example.com",
               "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}  # fmt: skip
        celery_app.control.purge()
        command = [sys.executable, "-m", "celery", "-A", "crm", "worker", "--loglevel", "WARNING",
                   "--concurrency", str(concurrency), "--prefetch-multiplier", "4",
                   "-n", f"bench-{tag}@%h"]  # fmt: skip
        worker = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)
        try:
            time.sleep(6)  # the worker connects
            client = Client(SERVER_NAME="localhost")
            celery_app.conf.task_always_eager = False
            posted: dict[str, float] = {}
            started = time.perf_counter()
            for n in range(burst):
                posted[f"Lead{n} Bench{tag}"] = time.time()
                response = client.post(f"/emailfeed/inbound/{feed.token}/", _lead(n, tag),
                                       content_type="message/rfc822",
                                       HTTP_AUTHORIZATION=f"Bearer {feed.secret}")  # fmt: skip
                assert response.status_code == 202, response.status_code
            post_seconds = time.perf_counter() - started
            deadline = time.time() + 300
            while time.time() < deadline:
                alerts = [
                    r for r in fake.sent("Messages") if "Bench" + tag in r.form.get("Body", "")
                ]
                if len(alerts) >= burst:
                    break
                time.sleep(0.5)
            latencies = []
            for alert in alerts:
                name = next((k for k in posted if k in alert.form["Body"]), None)
                if name:
                    latencies.append(alert.at - posted[name])
            latencies.sort()
            if not latencies:
                raise CommandError("No alert reached the fake Twilio.")
            p90 = latencies[int(len(latencies) * 0.9) - 1]
            self.stdout.write(
                f"end to end: {burst} posted in {post_seconds:.1f} s; {len(latencies)} SMS alerts; "
                f"POST to SMS median {statistics.median(latencies):.2f} s, p90 {p90:.2f} s, "
                f"last {latencies[-1]:.2f} s ({concurrency} worker processes)"
            )
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            fake.close()
            with rls_bypass(), audit_suspended():
                Account.objects.filter(pk=account.pk).delete()
