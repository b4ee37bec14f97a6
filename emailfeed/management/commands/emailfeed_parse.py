"""Parse lead-notification emails without saving anything:

    manage.py emailfeed_parse --json FILE.eml [FILE.eml ...]

prints one JSON object per file, one per line, in order. A file that cannot be read or
parsed still gives a line (kind "unrecognized" with an "error")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from emailfeed.parsers import LEAD_KEYS, interface_json, parse_bytes

MAX_FILE = 50 * 1024 * 1024


class Command(BaseCommand):
    help = "Parse .eml files with the email-feed parsers and print what each one gives."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+")
        parser.add_argument("--json", action="store_true", help="One JSON object per line.")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in options["files"]:
            try:
                with Path(name).open("rb") as handle:
                    raw = handle.read(MAX_FILE)
            except OSError as exc:
                result: dict[str, object] = {"kind": "unrecognized", **dict.fromkeys(LEAD_KEYS)}
                result["error"] = f"Cannot read {name}: {exc.strerror or exc}"
            else:
                result = interface_json(parse_bytes(raw))
            if options["json"]:
                self.stdout.write(json.dumps(result, ensure_ascii=False))
            else:
                summary = ", ".join(f"{k}={v}" for k, v in result.items() if v is not None)
                self.stdout.write(f"{name}: {summary}")
