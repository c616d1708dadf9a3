"""``manage.py kyb_bootstrap``: load the reference data the platform needs, once.

Run by ``make run`` after ``migrate``. Each step is idempotent and skipped when its data is
already loaded, so re-running costs a few queries.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

# (command, args) in order; a step whose command is not installed is skipped.
BOOTSTRAP_STEPS: list[tuple[str, list[str]]] = [
    ("load_reference_data", []),  # idempotent, ~4 s
    ("registry_load", ["--if-empty"]),  # the offline GLEIF register
    ("load_default_watchlists", ["--if-empty"]),  # OFAC SDN, OFAC non-SDN, UN
]


class Command(BaseCommand):
    help = "Load reference data (industry codes, watchlists) if not loaded yet."

    def handle(self, *args: Any, **options: Any) -> None:
        available = get_commands()
        for name, step_args in BOOTSTRAP_STEPS:
            if name not in available:
                continue
            self.stdout.write(f"bootstrap: {name} {' '.join(step_args)}")
            call_command(name, *step_args, stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(self.style.SUCCESS("bootstrap complete"))
