"""Feed .eml files to one account's lead feed, as if they had been emailed to it:

    manage.py emailfeed_ingest --account ID FILE.eml [FILE.eml ...]

Each is stored first, then parsed and applied here and now (no worker needed); one line
per file says what became of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crm.models import Account
from crm.tenancy import rls_bypass, tenant_context
from emailfeed import processing
from emailfeed.ingest import ingest
from emailfeed.models import InboundMessage, MessageStatus, Via


class Command(BaseCommand):
    help = "Store and process .eml files as messages to an account's lead feed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+")
        parser.add_argument("--account", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        with rls_bypass():
            account = Account.objects.filter(pk=options["account"]).first()
        if account is None:
            raise CommandError(f"No account with id {options['account']}.")
        with tenant_context(account.pk):
            for name in options["files"]:
                path = Path(name)
                try:
                    raw = path.read_bytes()
                except OSError as exc:
                    self.stdout.write(f"{name}: cannot read ({exc.strerror or exc})")
                    continue
                message, new = ingest(account.pk, raw, Via.COMMAND)
                if new:
                    message = InboundMessage.objects.for_account(account.pk).get(pk=message.pk)
                    if message.status == MessageStatus.PENDING:
                        message = processing.process(message)
                person = f" -> {message.contact}" if message.contact_id else ""
                dup = " (already received)" if not new else ""
                self.stdout.write(f"{name}: {message.get_status_display().lower()}{dup}{person}")
