"""Server time of the contacts pages at scale: a benchmark to run by hand, not a test.

Meant for Postgres after ``manage.py seed_demo --contacts 100000`` (``make bench``). Logs
in as the demo agent with Django's test client, asks each page ``--runs`` times, and
prints the median time and the number of SQL queries of each.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client, override_settings

from crm import demo
from crm.middleware import SESSION_KEY
from crm.models import Account, Membership, Role, User
from crm.tenancy import rls_bypass

PAGES = [
    ("contacts list, page 1", "/contacts/"),
    ("contacts list, page 500", "/contacts/?page=500"),
    ("search last name 'mit'", "/contacts/?q=mit"),
    ("search phone '555-01'", "/contacts/?q=555-01"),
    ("hygiene index", "/contacts/hygiene/"),
    ("  its list decay (htmx)", "/contacts/hygiene/decay/"),
    ("hygiene: Top100 not contacted", "/contacts/hygiene/top100/"),
    ("  its count (htmx)", "/contacts/hygiene/top100/count/"),
    ("hygiene: Christmas without address", "/contacts/hygiene/christmas/"),
    ("  its count (htmx)", "/contacts/hygiene/christmas/count/"),
    ("hygiene: no way to reach", "/contacts/hygiene/unreachable/"),
    ("  its count (htmx)", "/contacts/hygiene/unreachable/count/"),
    ("hygiene: silent prospects", "/contacts/hygiene/silent-prospects/"),
    ("  page 20", "/contacts/hygiene/silent-prospects/?page=20"),
    ("  its count (htmx)", "/contacts/hygiene/silent-prospects/count/"),
    ("Christmas card test", "/contacts/christmas-test/"),
    ("Cold clean-up", "/contacts/cold-cleanup/"),
]


class Command(BaseCommand):
    help = "Time the contacts list, search and hygiene pages for the demo account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=15, help="Requests per page.")
        parser.add_argument("--budget", type=float, default=150.0, help="Flag medians over (ms).")
        parser.add_argument("--email", default=demo.DEMO_AGENT[0], help="The account's owner.")
        parser.add_argument(
            "--has-people",
            type=int,
            metavar="N",
            help="Only check: exit 0 when the account has N people or more, 1 otherwise.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        account, user = self._account(options["email"])
        if options["has_people"] is not None:
            people = self._people(account)
            name = account.name if account else "No demo account"
            self.stdout.write(f"{name}: {people:,} people")
            sys.exit(0 if people >= options["has_people"] else 1)
        if account is None or user is None:
            raise CommandError(f"No account owned by {options['email']}: run seed_demo first.")
        self.stdout.write(
            f"{account.name}: {self._people(account):,} people; database {connection.vendor}; "
            f"{options['runs']} runs per page"
        )
        client = Client()
        client.force_login(user)
        session = client.session
        session[SESSION_KEY] = account.pk
        session.save()
        slow = []
        self.stdout.write(f"{'page':<38} {'median ms':>10} {'min ms':>8} {'queries':>8}")
        with override_settings(ALLOWED_HOSTS=["testserver"]):
            for label, url in PAGES:
                median, fastest, queries = self._measure(client, url, options["runs"])
                flag = ""
                if median > options["budget"]:
                    flag = f"  SLOW (over {options['budget']:.0f} ms)"
                    slow.append(label)
                self.stdout.write(f"{label:<38} {median:>10.1f} {fastest:>8.1f} {queries:>8}{flag}")
        if slow:
            self.stdout.write(self.style.WARNING(f"Over budget: {', '.join(slow)}"))
        else:
            self.stdout.write(self.style.SUCCESS(f"Every median under {options['budget']:.0f} ms."))

    def _account(self, email: str) -> tuple[Account | None, User | None]:
        with rls_bypass():  # which account is the owner's: a deliberate cross-account look
            membership = (
                Membership.objects.select_related("account", "user")
                .filter(user__email=email, role=Role.OWNER)
                .order_by("pk")
                .first()
            )
        if membership is None:
            return None, None
        return membership.account, membership.user

    def _people(self, account: Account | None) -> int:
        from contacts.models import Contact

        if account is None:
            return 0
        with rls_bypass():
            return Contact.objects.for_account(account).filter(deleted_at__isnull=True).count()

    def _measure(self, client: Client, url: str, runs: int) -> tuple[float, float, int]:
        response = client.get(url)  # warm caches and connections; also a sanity check
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        executed: list[str] = []

        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            executed.append(sql)
            return execute(sql, params, many, context)

        # An execute wrapper, not the query log: the log is reset when a request starts.
        with connection.execute_wrapper(record):
            client.get(url)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times), min(times), len(executed)
