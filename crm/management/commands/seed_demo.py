"""Demo data to click through every screen; ``--contacts N`` adds N people for benchmarks."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from crm import demo


class Command(BaseCommand):
    help = "Create (idempotently) the demo agent, a second agent, a shared assistant and data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--contacts",
            type=int,
            default=0,
            help="Add this many generated people to the demo account.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        world = demo.seed_world()
        count = options["contacts"]
        if count:
            started = time.monotonic()
            made = demo.add_people(account=world["demo"], count=count, seed=int(started))
            self.stdout.write(
                f"Added {made:,} people to {world['demo'].name} "
                f"in {time.monotonic() - started:.1f}s"
            )
        self.stdout.write(
            f"Demo accounts: {world['demo'].name} (id {world['demo'].pk}), "
            f"{world['second'].name} (id {world['second'].pk})"
        )
        self.stdout.write(f"Log in as {demo.DEMO_AGENT[0]} / {demo.DEMO_PASSWORD}")
        self.stdout.write(
            f"Assistant for both accounts: {demo.ASSISTANT[0]} / {demo.DEMO_PASSWORD}; "
            f"second agent: {demo.SECOND_AGENT[0]} / {demo.DEMO_PASSWORD}"
        )
