"""``manage.py cache_warm [--recent N | --ids FILE]``: fill the verification cache before traffic
does.

Run it after a deploy that changed the cache schema (``kyb.cache.SCHEMA_VERSION``) or after a
cache flush, so the first minutes of traffic do not all go to PostgreSQL. It writes the N most
recent verifications (the ones integrators poll) with SET NX: entries already cached, and
tombstones of rows being written right now, are left alone. Their TTLs are spread over
[CACHE_TTL_VERIFICATION / 2, CACHE_TTL_VERIFICATION], so they do not all expire at once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet

from kyb.cache import cache_fill_many
from verifications.models import BusinessVerification
from verifications.selectors import VERIFICATION_NAMESPACE, verification_payload


class Command(BaseCommand):
    help = "Warm the verification cache with the most recent verifications."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--recent", type=int, default=20_000, help="how many (newest first)")
        which.add_argument(
            "--ids",
            type=Path,
            help="warm exactly these verifications instead: a file of ids, one a line "
            "(the load test's read set)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["recent"] < 0:
            raise CommandError("--recent must be 0 or more")
        wanted: list[uuid.UUID] | None = None
        if options["ids"] is not None:
            try:
                wanted = [uuid.UUID(x) for x in options["ids"].read_text().split()]
            except (OSError, ValueError) as exc:
                raise CommandError(f"--ids: {exc}") from exc

        def querysets() -> Iterator[QuerySet[BusinessVerification]]:
            if wanted is None:
                yield BusinessVerification.objects.order_by("-created_at")[: options["recent"]]
                return
            for start in range(0, len(wanted), 1000):
                yield BusinessVerification.objects.filter(id__in=wanted[start : start + 1000])

        def entries() -> Iterator[tuple[object, bytes]]:
            for rows in querysets():
                for verification in rows.iterator(chunk_size=1000):
                    yield verification.id, verification_payload(verification)

        written = cache_fill_many(
            VERIFICATION_NAMESPACE, entries(), settings.CACHE_TTL_VERIFICATION
        )
        self.stdout.write(
            f"cache warmed: {written} verification entries written "
            f"in {time.perf_counter() - started:.1f}s"
        )
