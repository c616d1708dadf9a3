"""``manage.py load_reference_data``: load the industry code tables and crosswalks."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from classifications.services import reference_data_load


class Command(BaseCommand):
    """Load NAICS 2022 (+ index phrases), SIC 1987 (+ SEC titles), MCC (+ risk flags), crosswalks.

    Idempotent: codes are upserted by primary key, rows a new edition dropped are deleted, and
    each crosswalk is replaced as a whole, in one transaction. Re-run it for a new edition.
    """

    help = "Load or reload the industry code tables from classifications/data/ (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = reference_data_load(progress=lambda msg: self.stdout.write(f"  {msg}"))
        total = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"reference data loaded: {total} rows in {len(counts)} tables/crosswalks"
            )
        )
