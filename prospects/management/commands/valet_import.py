"""Import a CSV, XLSX or vCard file into one account, here and now (no worker):

    manage.py valet_import --account ID FILE [--profile NAME | --mapping JSON]
        [--mode allow|replace] [--database contacts|prospects]

The last line printed is ``created=N updated=N skipped=N errors=N``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from crm.models import Account, Category
from crm.tenancy import rls_bypass, tenant_context
from prospects import valet_import
from prospects.import_mapping import FIELDS
from prospects.models import ImportProfile, LeadSource


class Command(BaseCommand):
    help = "Import people from a CSV, XLSX or vCard file (the valet import)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The .csv, .xlsx or .vcf file.")
        parser.add_argument("--account", type=int, required=True, help="The account's id.")
        parser.add_argument("--profile", help="An import profile's name (or seeded key).")
        parser.add_argument("--mapping", help='JSON: {"column header": "field key", ...}.')
        parser.add_argument("--mode", choices=["allow", "replace"], help="Default: allow.")
        parser.add_argument("--database", choices=["contacts", "prospects"])
        parser.add_argument("--lead-source", help="Lead source name for rows without one.")
        parser.add_argument("--category", action="append", default=[], help="Add a category.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        with rls_bypass():  # which account the id names: an operator's deliberate look
            account = Account.objects.filter(pk=options["account"]).first()
        if account is None:
            raise CommandError(f"No account with id {options['account']}.")
        with tenant_context(account.pk):
            run = self._import(account, path, options)
            self.stdout.write(valet_import.describe(run))
            for problem in run.problems.order_by("row_number")[:20]:
                self.stdout.write(
                    f"  row {problem.row_number} ({problem.outcome}): {problem.problem}"
                )
        self.stdout.write(valet_import.summary(run))

    def _import(self, account: Account, path: Path, options: dict[str, Any]) -> Any:
        profile = None
        if options["profile"]:
            wanted = options["profile"]
            profile = (
                ImportProfile.objects.for_account(account)
                .filter(Q(name__iexact=wanted) | Q(key=wanted))
                .first()
            )
            if profile is None:
                raise CommandError(f"No import profile called {wanted!r} in this account.")
        with path.open("rb") as handle:
            try:
                run = valet_import.upload_store(
                    account=account, actor=None, upload=File(handle, name=path.name),
                    profile=profile,
                )  # fmt: skip
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        chosen = valet_import.Options.from_json(run.options)
        mapping = chosen.mapping
        if options["mapping"]:
            try:
                mapping = json.loads(options["mapping"])
            except json.JSONDecodeError as exc:
                raise CommandError(f"--mapping is not JSON: {exc}") from exc
            unknown = sorted(set(mapping.values()) - FIELDS.keys())
            if unknown:
                raise CommandError(f"Unknown field keys: {', '.join(unknown)}.")
        source_id = chosen.lead_source_id
        if options["lead_source"]:
            source = LeadSource.objects.for_account(account).filter(
                name__iexact=options["lead_source"]
            ).first() or LeadSource.objects.create(account=account, name=options["lead_source"])
            source_id = source.pk
        categories = list(chosen.category_ids)
        for name in options["category"]:
            category = Category.objects.for_account(account).filter(name__iexact=name).first()
            if category is None:
                raise CommandError(f"No category called {name!r} in this account.")
            categories.append(category.pk)
        chosen = valet_import.Options(
            mapping=mapping,
            database=options["database"] or chosen.database,
            mode=options["mode"] or chosen.mode,
            lead_source_id=source_id,
            category_ids=tuple(categories),
        )
        try:
            checked = valet_import.check_options(account, chosen)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        header = run.options.get("header") or []
        run.options = {**run.options, **checked.as_json()}
        run.options["mapping"] = valet_import.import_mapping.clean_mapping(checked.mapping, header)
        run.save(update_fields=["options"])
        return valet_import.import_run(run)
