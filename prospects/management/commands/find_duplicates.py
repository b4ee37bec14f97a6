"""Likely duplicates of one account: ``--json`` prints the clusters other tools read,
``[{"ids": [contact ids], "score": 0..1, "reasons": [...]}, ...]``, best first."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crm.models import Account
from crm.tenancy import rls_bypass, tenant_context
from prospects.dedupe import find_duplicates


class Command(BaseCommand):
    help = "Find likely duplicate people in an account (both databases)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", type=int, required=True, help="The account's id.")
        parser.add_argument("--json", action="store_true", help="Print the clusters as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        with rls_bypass():  # which account the id names: an operator's deliberate look
            account = Account.objects.filter(pk=options["account"]).first()
        if account is None:
            raise CommandError(f"No account with id {options['account']}.")
        with tenant_context(account.pk):
            clusters = find_duplicates(account)
        if options["json"]:
            self.stdout.write(json.dumps(clusters))
            return
        self.stdout.write(f"{account.name}: {len(clusters)} groups of likely duplicates")
        for cluster in clusters:
            ids = ", ".join(str(i) for i in cluster["ids"])
            reasons = "; ".join(cluster["reasons"])
            self.stdout.write(f"{cluster['score']:.2f}  ids {ids}  ({reasons})")
