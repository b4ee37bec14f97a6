"""Time of the CSV and vCard exports at scale: a benchmark to run by hand, not a test.

Fills an account of its own ("Export benchmark") with ``--people`` generated people, each
with one to three phones, one or two emails, a mailing address and categories, then runs
each export job's handler in this process and prints its time (wall clock, and the CPU
time of this process, which the database's own work is not part of), the file size and
the peak memory of the process.
"""

from __future__ import annotations

import random
import resource
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from contacts import exports
from contacts.models import Address, Contact, ContactCategory, Email, Phone
from crm.models import Account, Category, Job, Membership, Role, User
from crm.services import account_create, user_create
from crm.tenancy import rls_bypass, tenant_context

OWNER = "export.bench@example.com"
ACCOUNT = "Export benchmark"
FIRST = ["James", "Mary", "Zoë", "Robert", "Linda", "José", "Ana", "Wei", "Fatima", "Ole"]
LAST = ["Smith", "Johnson", "Núñez", "O'Brien", "Müller", "Nguyen", "Garcia", "Kim", "Lee"]
STREETS = ["Main St", "Elm St", "College Ave", "Mountain Ave", "Shields St", "Drake Rd"]


class Command(BaseCommand):
    help = "Time the CSV and vCard exports of many people with phones, emails and addresses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=100_000)

    def handle(self, *args: Any, **options: Any) -> None:
        account = self._account()
        with tenant_context(account.pk):
            have = Contact.objects.for_account(account).alive().count()
            if have < options["people"]:
                started = time.perf_counter()
                self._add_people(account, options["people"] - have)
                if connection.vendor == "postgresql":  # as autovacuum would, after a bulk load
                    with connection.cursor() as cursor:
                        for model in (Contact, Phone, Email, Address, ContactCategory):
                            cursor.execute(f"ANALYZE {model._meta.db_table}")
                self.stdout.write(
                    f"Added {options['people'] - have:,} people in "
                    f"{time.perf_counter() - started:.1f}s"
                )
            ids = list(
                Contact.objects.for_account(account)
                .alive()
                .order_by("pk")
                .values_list("pk", flat=True)[: options["people"]]
            )
            self.stdout.write(f"{len(ids):,} people; database {connection.vendor}")
            for kind, run in (
                ("csv", exports.run_csv_export),
                ("vcard", exports.run_vcard_export),
            ):
                job = Job.objects.create(
                    account=account,
                    kind=exports.KINDS[kind],
                    title=f"benchmark {kind}",
                    params={"ids": ids},
                    total=len(ids),
                )
                started, cpu = time.perf_counter(), time.process_time()
                run(job)
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
                job.refresh_from_db()
                size = job.result_file.size
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                self.stdout.write(
                    f"{kind:<6} {elapsed:6.1f}s (CPU here {cpu:5.1f}s)  {size / 1e6:6.1f} MB  "
                    f"{len(ids) / elapsed:8,.0f} people/s  peak RSS so far {peak:,.0f} MB"
                )
                job.result_file.delete(save=False)
                job.delete()

    def _account(self) -> Account:
        with rls_bypass():  # finding the benchmark's own account spans accounts on purpose
            membership = (
                Membership.objects.select_related("account")
                .filter(user__email=OWNER, role=Role.OWNER, account__name=ACCOUNT)
                .first()
            )
            if membership is not None:
                return membership.account
            owner = User.objects.filter(email=OWNER).first() or user_create(
                email=OWNER, password=None, full_name="Export Bench"
            )
        return account_create(name=ACCOUNT, owner=owner)

    def _add_people(self, account: Account, count: int, batch: int = 5000) -> None:
        rng = random.Random(count)
        categories = list(Category.objects.for_account(account))
        for start in range(0, count, batch):
            size = min(batch, count - start)
            with transaction.atomic():
                people = Contact.objects.bulk_create(
                    [
                        Contact(
                            account=account,
                            first_name=rng.choice(FIRST),
                            last_name=rng.choice(LAST),
                            company="Acme, Inc." if rng.random() < 0.1 else "",
                            lead_source="Zillow" if rng.random() < 0.3 else "",
                        )
                        for _ in range(size)
                    ],
                    batch_size=1000,
                )
                phones: list[Phone] = []
                emails: list[Email] = []
                addresses: list[Address] = []
                links: list[ContactCategory] = []
                for person in people:
                    for position in range(rng.randint(1, 3)):
                        number = f"970555{rng.randint(0, 9999):04d}"
                        phones.append(
                            Phone(
                                account=account,
                                contact=person,
                                raw=f"({number[:3]}) {number[3:6]}-{number[6:]}",
                                e164=f"+1{number}",
                                digits=f"1{number}",
                                label=("mobile", "home", "work")[position],
                                position=position,
                            )
                        )
                    for position in range(rng.randint(1, 2)):
                        emails.append(
                            Email(
                                account=account,
                                contact=person,
                                address=f"p{person.pk}.{position}@example.com",
                                position=position,
                            )
                        )
                    addresses.append(
                        Address(
                            account=account,
                            contact=person,
                            street=f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
                            city="Fort Collins",
                            state="CO",
                            postal_code="80521",
                        )
                    )
                    links.extend(
                        ContactCategory(account=account, contact=person, category=category)
                        for category in rng.sample(categories, k=rng.choice((0, 1, 2)))
                    )
                Phone.objects.bulk_create(phones, batch_size=2000)
                Email.objects.bulk_create(emails, batch_size=2000)
                Address.objects.bulk_create(addresses, batch_size=2000)
                ContactCategory.objects.bulk_create(links, batch_size=2000)
