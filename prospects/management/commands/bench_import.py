"""The valet import at scale: a benchmark to run by hand, not a test.

Writes a typical FSBO list of ``--rows`` rows (owner name, property and mailing address,
two phones, an email, notes; a few bad rows) to a temporary CSV, imports it into an
account of its own through the worker job (run eagerly in this process), and prints rows per second
end to end and the process's peak memory. ``--drop`` deletes the account afterwards.
"""

from __future__ import annotations

import csv
import random
import resource
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from crm.audit import audit_suspended
from crm.celery import app as celery_app
from crm.models import Account
from crm.services import account_create, user_create
from crm.tenancy import rls_bypass, tenant_context
from prospects import valet_import
from prospects.dedupe_generator import CITIES, GIVEN_NAMES, STREETS, SURNAMES

HEADER = [
    "Owner Name", "Property Address", "Property City", "Property State", "Property Zip",
    "Mailing Address", "Mailing City", "Mailing State", "Mailing Zip",
    "Phone 1", "Phone 2", "Email", "List Price", "Notes",
]  # fmt: skip


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_fsbo_csv(path: Path, rows: int, seed: int = 0) -> None:
    """A FSBO list as list services sell them: one owner per row, 1 in 500 rows broken."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            first, last = rng.choice(GIVEN_NAMES), rng.choice(SURNAMES)
            street = f"{rng.randint(10, 9999)} {rng.choice(STREETS)} St"
            city = rng.choice(CITIES)[0]
            same = rng.random() < 0.7
            mailing = street if same else f"PO Box {rng.randint(1, 9999)}"
            phone = f"({rng.choice(['970', '303', '720'])}) 555-{rng.randint(0, 9999):04d}"
            row = [
                f"{first} {last}", street, city, "CO", f"80{rng.randint(100, 999)}",
                mailing, city, "CO", f"80{rng.randint(100, 999)}",
                phone, phone.replace("555", "556") if rng.random() < 0.4 else "",
                f"{first}.{last}{n}@example.com".lower() if rng.random() < 0.6 else "",
                f"{rng.randint(200, 900)},000", "FSBO sign, asked about commission",
            ]  # fmt: skip
            if n % 500 == 499:
                row = row[:3]  # broken: a ragged row that still reads, with no name problem
                row[0] = ""
            writer.writerow(row)


class Command(BaseCommand):
    help = "Time the valet import of a generated FSBO CSV through the worker job."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--mode", choices=["allow", "replace"], default="allow")
        parser.add_argument("--drop", action="store_true", help="Delete the account afterwards.")

    def handle(self, *args: Any, **options: Any) -> None:
        tag = uuid.uuid4().hex[:8]
        owner = user_create(
            email=f"bench-import-{tag}@example.com", password=uuid.uuid4().hex, full_name="Bench"
        )
        account = account_create(name=f"Import benchmark {tag}", owner=owner)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "fsbo.csv"
            write_fsbo_csv(path, options["rows"], options["seed"])
            size = path.stat().st_size / 2**20
            self.stdout.write(
                f"Account {account.pk} on {connection.vendor}: {options['rows']:,} rows, "
                f"{size:.1f} MB; peak memory before {_peak_mb():.0f} MB"
            )
            celery_app.conf.task_always_eager = True  # the worker's job, in this process
            started = time.perf_counter()
            with tenant_context(account.pk, owner.pk), path.open("rb") as handle:
                run = valet_import.upload_store(
                    account=account, actor=owner, upload=File(handle, name=path.name), profile=None
                )
                chosen = valet_import.Options.from_json(run.options)
                run = valet_import.import_start(
                    run=run,
                    actor=owner,
                    options=valet_import.Options(chosen.mapping, "prospects", options["mode"]),
                )
            seconds = time.perf_counter() - started
        with tenant_context(account.pk):
            run.refresh_from_db()
            self.stdout.write(valet_import.summary(run))
        self.stdout.write(
            f"{seconds:.1f} s end to end: {options['rows'] / seconds:,.0f} rows/s; "
            f"peak memory {_peak_mb():.0f} MB"
        )
        if options["drop"]:
            with rls_bypass(), audit_suspended():
                Account.objects.filter(pk=account.pk).delete()
