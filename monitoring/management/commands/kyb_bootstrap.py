"""``manage.py kyb_bootstrap``: load the reference data the platform needs, once.

Run by ``make run`` after ``migrate``. Each step is idempotent and skipped when its data is
already loaded, so re-running costs a few queries.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import connection

# (command, args) in order; a step whose command is not installed is skipped.
BOOTSTRAP_STEPS: list[tuple[str, list[str]]] = [
    ("load_reference_data", []),  # idempotent, ~4 s
    ("registry_load", ["--if-empty"]),  # the offline GLEIF register
    ("load_default_watchlists", ["--if-empty"]),  # OFAC SDN, OFAC non-SDN, UN
]


class Command(BaseCommand):
    help = "Load reference data (industry codes, watchlists) if not loaded yet."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DB_STATEMENT_TIMEOUT_VIA_ROLE:
            self._role_statement_timeout()
        available = get_commands()
        for name, step_args in BOOTSTRAP_STEPS:
            if name not in available:
                continue
            self.stdout.write(f"bootstrap: {name} {' '.join(step_args)}")
            call_command(name, *step_args, stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(self.style.SUCCESS("bootstrap complete"))

    def _role_statement_timeout(self) -> None:
        """Behind PgBouncer the timeout cannot travel as a startup parameter: make it the
        default of the role we connect as (new server connections pick it up)."""
        timeout = int(settings.DB_STATEMENT_TIMEOUT_MS)
        database = connection.ops.quote_name(connection.settings_dict["NAME"])
        with connection.cursor() as cursor:  # this database only: the role may serve others
            cursor.execute(
                f"ALTER ROLE CURRENT_USER IN DATABASE {database} SET statement_timeout = {timeout}"
            )
        self.stdout.write(f"bootstrap: statement_timeout {timeout} ms set on the database role")
