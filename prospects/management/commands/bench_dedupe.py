"""Duplicate scan at scale: a benchmark to run by hand, not a test.

Builds ``--people`` generated people (duplicates with realistic noise included) in an
account of its own on the configured database, runs the scan the review page runs, and
prints the seconds it took, precision and recall against the generator's truth, and the
process's peak memory. ``--drop`` deletes the account afterwards.
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from contacts.demo import _refresh_planner_statistics
from crm.models import Account
from crm.services import account_create, user_create
from crm.tenancy import rls_bypass, tenant_context
from prospects.dedupe import find_duplicates
from prospects.dedupe_generator import generate, load, quality


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class Command(BaseCommand):
    help = "Time the duplicate scan on a generated account and check its precision and recall."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--dup-share", type=float, default=0.2)
        parser.add_argument("--drop", action="store_true", help="Delete the account afterwards.")
        parser.add_argument(
            "--trace-memory",
            action="store_true",
            help="Run the scan a second time under tracemalloc and print its own peak.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tag = uuid.uuid4().hex[:8]
        owner = user_create(
            email=f"bench-dedupe-{tag}@example.com", password=uuid.uuid4().hex, full_name="Bench"
        )
        account = account_create(name=f"Dedupe benchmark {tag}", owner=owner)
        started = time.perf_counter()
        records = generate(options["people"], dup_share=options["dup_share"], seed=options["seed"])
        with tenant_context(account.pk):
            truth = load(account=account, records=records)
        from contacts.models import Address, Contact, Email, Phone

        _refresh_planner_statistics([m._meta.db_table for m in (Contact, Phone, Email, Address)])
        self.stdout.write(
            f"Account {account.pk} on {connection.vendor}: {len(records):,} people, "
            f"{len(truth):,} true groups; built in {time.perf_counter() - started:.1f} s"
        )
        before = _peak_mb()
        started = time.perf_counter()
        with tenant_context(account.pk):
            clusters = find_duplicates(account)
        seconds = time.perf_counter() - started
        precision, recall = quality(clusters, truth)
        self.stdout.write(f"scan: {seconds:.1f} s, {len(clusters):,} clusters")
        self.stdout.write(f"precision {precision:.4f}  recall {recall:.4f}")
        self.stdout.write(f"peak memory: {_peak_mb():.0f} MB (before the scan {before:.0f} MB)")
        if options["trace_memory"]:
            tracemalloc.start()
            with tenant_context(account.pk):
                find_duplicates(account)
            _, traced = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            self.stdout.write(f"the scan's own Python allocations peak at {traced / 2**20:.0f} MB")
        if options["drop"]:
            with rls_bypass():
                Account.objects.filter(pk=account.pk).delete()
