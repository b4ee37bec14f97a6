"""Hand delivery reports to the drips: ``manage.py drips_bounce FILE.eml…`` or ``-`` for
standard input (a mail server's pipe for the bounce+ addresses)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Store and process bounce reports sent to our VERP return paths."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", help="raw RFC 822 files, or - for stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        from drips.bounces import receive_report

        for name in options["files"]:
            raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
            report = receive_report(raw)
            if report is None:
                self.stdout.write(f"{name}: not a return path of ours, ignored")
            else:
                self.stdout.write(
                    f"{name}: stored as report {report.pk} (account {report.account_id})"
                )
