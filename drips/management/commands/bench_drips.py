"""Drip emails at scale, a benchmark to run by hand (not a test).

``--emails`` people fall due on a one-email sequence in an account of their own. The beat
pass (``sequences.run_due``) runs in this process and hands each email to ``--workers``
real Celery worker processes (one pool process each) on a Redis database of the bench's
own; they deliver through Django's SMTP backend to a local aiosmtpd server that records
every message it accepts. When half the emails have arrived, one worker is SIGKILLed,
parent and child: its unacknowledged message stays in Redis until the visibility timeout,
so ``requeue_stale``, called every few seconds here as beat would, hands the email over
again. Prints seconds, emails per second, and how many were sent, duplicated and missing;
exits non-zero on any duplicate or missing email, or when it took 2 minutes or more.
The requeue defaults (15 s, checked every 5 s) are far quicker than production's
(``--requeue-seconds 600 --requeue-every 60``), so the killed email comes back in time.

Needs Postgres (DATABASE_URL) and a Redis server (``--broker``, a database the bench
flushes first).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zoneinfo
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any

import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from contacts.models import Contact, Email
from crm.audit import audit_suspended
from crm.bulk import insert_many
from crm.celery import app as celery_app
from crm.models import Account, User
from crm.services import account_create, user_create
from crm.tenancy import rls_bypass, tenant_context
from drips import sequences
from drips.models import (
    ContentItem,
    ContentKind,
    Enrollment,
    EnrollmentStatus,
    Send,
    SendStatus,
    Sequence,
    Step,
    StepKind,
)
from drips.tasks import bounce_address

LIMIT_SECONDS = 120.0
SUBJECT = 'A note for {{ first_name|default:"you" }}'
BODY = (
    'Hi {{ first_name|default:"there" }},\n\n'
    'Homes on {{ property_address|default:"your street" }} are selling fast this spring. '
    "Would a free price opinion help you plan?\n\n"
    "{{ agent_signature }}\n\n"
    "Unsubscribe: {{ unsubscribe_url }}\n"
)
# VERP senders as drips.tasks writes them today; only a fallback for mapping a message to
# its send (the exact map is built from bounce_address itself).
_VERP = re.compile(r"^bounce\+(\d+)(?:-|\.s)(\d+)\b")


class Inbox:
    """aiosmtpd handler that accepts every message and keeps its envelope."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[tuple[str, tuple[str, ...]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self._received.append((str(envelope.mail_from), tuple(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def count(self) -> int:
        return len(self._received)

    def received(self) -> list[tuple[str, tuple[str, ...]]]:
        with self._lock:
            return list(self._received)


class Beat(threading.Thread):
    """What beat and an operator's bad luck do meanwhile: ``requeue_stale`` every
    ``every`` seconds, and one worker SIGKILLed when ``kill_at`` messages have arrived."""

    def __init__(
        self,
        *,
        inbox: Inbox,
        every: float,
        started: float,
        victim: subprocess.Popen[bytes] | None,
        kill_at: int,
        say: Callable[[str], None],
    ) -> None:
        super().__init__(name="bench-beat", daemon=True)
        self.inbox, self.every, self.started = inbox, every, started
        self.victim, self.kill_at, self.say = victim, kill_at, say
        self.halt = threading.Event()
        self.requeued = 0
        self.killed_at: float | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            next_requeue = time.monotonic() + self.every
            next_progress = time.monotonic() + 10
            while not self.halt.wait(0.1):
                now = time.monotonic()
                if self.victim is not None and self.killed_at is None:
                    arrived = self.inbox.count()
                    if arrived >= self.kill_at:
                        os.killpg(self.victim.pid, signal.SIGKILL)
                        self.victim.wait()
                        self.killed_at = now - self.started
                        self.say(
                            f"  {self.killed_at:6.1f} s: SIGKILLed worker pid {self.victim.pid} "
                            f"and its pool process, with {arrived:,} emails arrived"
                        )
                if now >= next_requeue:
                    self.requeued += sequences.requeue_stale(timezone.now())
                    next_requeue = now + self.every
                if now >= next_progress:
                    self.say(
                        f"  {now - self.started:6.1f} s: {self.inbox.count():,} emails arrived, "
                        f"{self.requeued:,} re-dispatched"
                    )
                    next_progress = now + 10
        except BaseException as error:  # reported by the main thread
            self.error = error
        finally:
            connections.close_all()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def window_now(zone_name: str) -> datetime:
    """The latest weekday 10:00 in the account's zone: inside the sending window."""
    zone = zoneinfo.ZoneInfo(zone_name)
    local = timezone.now().astimezone(zone)
    day = local.date() if local.time() >= day_time(10) else local.date() - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime.combine(day, day_time(10), tzinfo=zone)


def _tail(path: Path, lines: int = 12) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Command(BaseCommand):
    help = "Time N due drip emails through real workers to a local SMTP server, one killed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--emails", type=int, default=10_000)
        parser.add_argument("--workers", type=int, default=2, help="Worker processes.")
        parser.add_argument("--no-kill", action="store_true", help="Kill no worker.")
        parser.add_argument("--keep", action="store_true", help="Keep the account and its data.")
        parser.add_argument(
            "--broker",
            default="redis://127.0.0.1:6379/5",
            help="A Redis database for the bench alone: it is flushed first.",
        )
        parser.add_argument(
            "--requeue-seconds",
            type=int,
            default=15,
            help="DRIPS_REQUEUE_SECONDS for the run: a queued email is handed over again "
            "this long after its last dispatch.",
        )
        parser.add_argument(
            "--requeue-every", type=float, default=5.0, help="Seconds between requeue passes."
        )
        parser.add_argument("--timeout", type=float, default=360.0)

    def handle(self, *args: Any, **options: Any) -> None:
        count, workers = options["emails"], options["workers"]
        broker: str = options["broker"]
        kill = not options["no_kill"]
        if connection.vendor != "postgresql":
            raise CommandError("bench_drips needs Postgres (DATABASE_URL=postgres://…).")
        if not broker.startswith(("redis://", "rediss://")):
            raise CommandError("bench_drips needs a Redis broker (--broker redis://…).")
        if count < 1 or workers < 1:
            raise CommandError("--emails and --workers must be at least 1.")
        if kill and workers < 2:
            raise CommandError("Killing the only worker leaves none: --workers 2, or --no-kill.")
        zone = settings.TIME_ZONE  # the bench account's
        now = window_now(zone)
        self._refuse_foreign_work(now)
        redis.Redis.from_url(broker).flushdb()
        celery_app.conf.update(
            broker_url=broker,
            broker_transport_options={"visibility_timeout": 12 * 3600},
            task_always_eager=False,
        )

        tag = uuid.uuid4().hex[:8]
        owner = user_create(email=f"bench-drips-{tag}@example.com", password=None,
                            full_name="Bench Agent")  # fmt: skip
        account = account_create(name=f"Drips benchmark {tag}", owner=owner, time_zone=zone)
        inbox = Inbox()
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per command
        port = _free_port()
        smtp = Controller(inbox, hostname="127.0.0.1", port=port, server_hostname="bench.local")
        logs = Path(tempfile.mkdtemp(prefix="bench_drips-"))
        procs: list[subprocess.Popen[bytes]] = []
        verdict: list[str] = []
        serving = False
        try:
            started = time.perf_counter()
            self._populate(account, count, tag, due_at=now - timedelta(minutes=1))
            self.stdout.write(
                f"Account {account.pk}: {count:,} people due on a one-email sequence "
                f"({time.perf_counter() - started:.1f} s to write); the pass runs at "
                f"{now:%a %Y-%m-%d %H:%M %Z}"
            )
            smtp.start()
            serving = True
            env = {
                **os.environ,
                "CELERY_BROKER_URL": broker,
                "CELERY_TASK_ALWAYS_EAGER": "0",
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(port),
                "EMAIL_HOST_USER": "",
                "EMAIL_HOST_PASSWORD": "",
                "EMAIL_USE_TLS": "false",
                "EMAIL_USE_SSL": "false",
                "DRIPS_REQUEUE_SECONDS": str(options["requeue_seconds"]),
                "LOG_LEVEL": "WARNING",
            }
            names = [f"bench-drips-{n}-{tag}@{socket.gethostname()}" for n in range(workers)]
            for n, name in enumerate(names):
                procs.append(self._start_worker(name, env, logs / f"worker-{n}.log"))
            self._wait_ready(names, procs, logs)
            self.stdout.write(
                f"{workers} workers (prefork, 1 process each) on {broker}; SMTP on "
                f"127.0.0.1:{port}; requeue after {options['requeue_seconds']} s, "
                f"checked every {options['requeue_every']:g} s"
            )
            with override_settings(DRIPS_REQUEUE_SECONDS=options["requeue_seconds"]):
                verdict = self._run(
                    account=account,
                    count=count,
                    now=now,
                    inbox=inbox,
                    procs=procs,
                    kill=kill,
                    every=options["requeue_every"],
                    timeout=options["timeout"],
                )
        finally:
            self._stop(procs)
            for n, proc in enumerate(procs):
                if proc.returncode not in (0, -signal.SIGKILL):
                    self.stderr.write(f"worker {n} log:\n{_tail(logs / f'worker-{n}.log')}")
            shutil.rmtree(logs, ignore_errors=True)
            redis.Redis.from_url(broker).flushdb()  # left-over and redundant deliveries
            if serving:
                smtp.stop()
            if options["keep"]:
                self.stdout.write(f"Kept account {account.pk} ({account.name}).")
            else:
                self._drop(account, owner)
        if verdict:
            raise CommandError("; ".join(verdict))
        self.stdout.write("OK")

    # ---- setting up --------------------------------------------------------------------------

    def _refuse_foreign_work(self, now: datetime) -> None:
        """The pass and the requeue run over every account: other accounts' due steps
        and queued emails would go out to the bench's SMTP server and be marked sent."""
        with rls_bypass():
            due = sequences.due(now).count()
            queued = Send.objects.filter(status=SendStatus.QUEUED).count()
        if due or queued:
            raise CommandError(
                f"This database has {due} due enrollments and {queued} queued emails of its "
                "own: the bench would send them. Run it on a database without them."
            )

    def _populate(self, account: Account, count: int, tag: str, *, due_at: datetime) -> None:
        with tenant_context(account.pk):
            item = ContentItem.objects.create(account=account, kind=ContentKind.EMAIL,
                                              title=f"Bench drip {tag}", subject=SUBJECT,
                                              body=BODY)  # fmt: skip
            sequence = Sequence.objects.create(account=account, name=f"Bench drip {tag}")
            Step.objects.create(account=account, sequence=sequence, position=1,
                                kind=StepKind.EMAIL, content=item, delay_days=0)  # fmt: skip
            base = {"account_id": account.pk}
            people = insert_many(
                Contact,
                [{**base, "first_name": f"Pat{n}", "last_name": "Bench"} for n in range(count)],
                returning=True,
            )
            insert_many(
                Email,
                [
                    {**base, "contact_id": pk, "address": f"pat{n}.{tag}@bench.example.com"}
                    for n, pk in enumerate(people)
                ],
            )
            due = {**base, "sequence_id": sequence.pk, "status": EnrollmentStatus.ACTIVE,
                   "next_position": 1, "next_due_at": due_at}  # fmt: skip
            insert_many(Enrollment, [{**due, "contact_id": pk} for pk in people])
            with connection.cursor() as cursor:
                for model in (Contact, Email, Enrollment, Send):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def _start_worker(self, name: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "celery", "-A", "crm", "worker", "--loglevel", "WARNING",
                   "--pool", "prefork", "--concurrency", "1", "--prefetch-multiplier", "1",
                   "-Q", "celery", "-n", name, "--without-gossip", "--without-mingle"]  # fmt: skip
        with log.open("wb") as out:
            # A session (process group) of its own: killing it takes the pool process too.
            return subprocess.Popen(command, env=env, cwd=settings.BASE_DIR, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip

    def _wait_ready(
        self, names: list[str], procs: list[subprocess.Popen[bytes]], logs: Path
    ) -> None:
        answered: set[str] = set()
        deadline = time.monotonic() + 90
        while set(names) - answered:
            for n, proc in enumerate(procs):
                if proc.poll() is not None:
                    raise CommandError(
                        f"Worker {n} exited ({proc.returncode}):\n{_tail(logs / f'worker-{n}.log')}"
                    )
            if time.monotonic() > deadline:
                raise CommandError("The workers did not answer a ping within 90 s.")
            for reply in celery_app.control.ping(destination=names, timeout=1.0) or []:
                answered |= set(reply)

    # ---- the run -----------------------------------------------------------------------------

    def _run(
        self,
        *,
        account: Account,
        count: int,
        now: datetime,
        inbox: Inbox,
        procs: list[subprocess.Popen[bytes]],
        kill: bool,
        every: float,
        timeout: float,
    ) -> list[str]:
        """The pass, the wait, and the figures; returns what failed (empty: passed)."""
        started = time.monotonic()
        beat = Beat(inbox=inbox, every=every, started=started, victim=procs[-1] if kill else None,
                    kill_at=count // 2, say=self.stdout.write)  # fmt: skip
        beat.start()
        done_at: float | None = None
        try:
            taken = 0
            with tenant_context(account.pk):
                pending = Enrollment.objects.filter(
                    account=account, status=EnrollmentStatus.ACTIVE, next_due_at__lte=now
                )
                # Back to back, where beat would call it once a minute (45 s at most).
                while pending.exists() and time.monotonic() - started < timeout:
                    taken += sequences.run_due(now=now)
            seconds = time.monotonic() - started
            self.stdout.write(
                f"  {seconds:6.1f} s: the pass wrote {taken:,} sends ({taken / seconds:,.0f}/s); "
                f"{inbox.count():,} emails arrived so far"
            )
            while time.monotonic() - started < timeout and not pending.exists():
                statuses = self._statuses(account)
                unique = len({sender for sender, _ in inbox.received()})
                if not statuses.get(SendStatus.QUEUED) and unique >= statuses.get(
                    SendStatus.SENT, 0
                ):
                    done_at = time.monotonic() - started
                    break
                if beat.error or all(p.poll() is not None for p in procs):
                    break
                time.sleep(0.25)
        finally:
            beat.halt.set()
            beat.join()
        if beat.error is not None:
            raise beat.error
        elapsed = done_at if done_at is not None else time.monotonic() - started
        self._stop(procs)  # warm shutdown: a task still running finishes first
        statuses = self._statuses(account)
        tally = self._tally(account, inbox.received(), count)
        killed = f", one killed at {beat.killed_at:.1f} s" if beat.killed_at is not None else ""
        self.stdout.write(
            f"elapsed {elapsed:.1f} s{'' if done_at is not None else ' (timed out)'}: "
            f"{tally['sent'] / elapsed:,.1f} emails/s with {len(procs)} workers{killed}"
        )
        self.stdout.write(
            f"sent {tally['sent']:,}, duplicated {tally['duplicated']:,} "
            f"({tally['extra']:,} extra copies), missing {tally['missing']:,} "
            f"({tally['lost']:,} marked sent, {tally['unfinished']:,} not sent yet); "
            f"{inbox.count():,} messages received, {tally['unknown']:,} unknown; "
            f"{beat.requeued:,} re-dispatched by requeue_stale"
        )
        self.stdout.write(
            "Send statuses: "
            + (", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items())) or "none")
        )
        failed = []
        if tally["duplicated"]:
            failed.append(f"{tally['duplicated']} emails went out more than once")
        if tally["missing"]:
            failed.append(f"{tally['missing']} emails never arrived")
        if tally["unknown"]:
            failed.append(f"{tally['unknown']} messages matched no send of the bench")
        if done_at is None or elapsed >= LIMIT_SECONDS:
            failed.append(f"{elapsed:.1f} s is not under {LIMIT_SECONDS:.0f} s")
        if kill and beat.killed_at is None:
            failed.append("no worker was killed (the run never got halfway)")
        return failed

    def _statuses(self, account: Account) -> dict[str, int]:
        with tenant_context(account.pk):
            rows = Send.objects.filter(account=account).values_list("status").annotate(Count("pk"))
            return {status: n for status, n in rows}

    def _tally(
        self, account: Account, received: list[tuple[str, tuple[str, ...]]], count: int
    ) -> dict[str, int]:
        """Sent (sends received), duplicated (sends received more than once), extra
        copies, missing (people whose email never arrived: ``lost`` of them marked sent,
        ``unfinished`` not), and unknown messages. A message is matched to its send by its
        whole envelope sender (``bounce_address`` of each Send row), else by the ids in a
        VERP address, else by its recipient (one address per person here)."""
        with tenant_context(account.pk):
            sends = list(
                Send.objects.filter(account=account, kind=StepKind.EMAIL).only(
                    "pk", "account_id", "to_address", "status"
                )
            )
        status_of = {s.pk: s.status for s in sends}
        by_sender = {bounce_address(s): s.pk for s in sends}
        by_address = {s.to_address.lower(): s.pk for s in sends}
        copies: Counter[int] = Counter()
        unknown = 0
        for sender, recipients in received:
            send_id = by_sender.get(sender)
            if send_id is None and (verp := _VERP.match(sender)):
                send_id = int(verp.group(2)) if int(verp.group(2)) in status_of else None
            if send_id is None and len(recipients) == 1:
                send_id = by_address.get(recipients[0].lower())
            if send_id is None:
                unknown += 1
            else:
                copies[send_id] += 1
        # Counted by the whole envelope sender as well, in case two sends ever share one.
        by_string = Counter(sender for sender, _ in received)
        duplicated = max(
            sum(1 for n in copies.values() if n > 1), sum(1 for n in by_string.values() if n > 1)
        )
        lost = sum(1 for pk, st in status_of.items() if st == SendStatus.SENT and pk not in copies)
        return {
            "sent": len(copies),
            "duplicated": duplicated,
            "extra": sum(n - 1 for n in copies.values()),
            "missing": count - len(copies),
            "lost": lost,
            "unfinished": count - len(copies) - lost,
            "unknown": unknown,
        }

    # ---- tearing down ------------------------------------------------------------------------

    def _stop(self, procs: list[subprocess.Popen[bytes]]) -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # warm shutdown
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=30)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # a pool process left behind
            proc.wait()

    def _drop(self, account: Account, owner: User) -> None:
        started = time.perf_counter()
        with rls_bypass(), audit_suspended():
            Account.objects.filter(pk=account.pk).delete()
            owner.delete()
        self.stdout.write(f"Dropped account {account.pk} ({time.perf_counter() - started:.1f} s).")
