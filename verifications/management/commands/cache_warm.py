"""``manage.py cache_warm [--recent N]``: fill the verification cache before traffic does.

Run it after a deploy that changed the cache schema (``kyb.cache.SCHEMA_VERSION``) or after a
cache flush, so the first minutes of traffic do not all go to PostgreSQL. It writes the N most
recent verifications (the ones integrators poll) with SET NX: entries already cached, and
tombstones of rows being written right now, are left alone. Their TTLs are spread over
[CACHE_TTL_VERIFICATION / 2, CACHE_TTL_VERIFICATION], so they do not all expire at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from kyb.cache import cache_fill_many
from verifications.models import BusinessVerification
from verifications.selectors import VERIFICATION_NAMESPACE, verification_payload


class Command(BaseCommand):
    help = "Warm the verification cache with the most recent verifications."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--recent", type=int, default=20_000, help="how many (newest first)")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = BusinessVerification.objects.order_by("-created_at")[: options["recent"]]

        def entries() -> Iterator[tuple[object, bytes]]:
            for verification in rows.iterator(chunk_size=1000):
                yield verification.id, verification_payload(verification)

        written = cache_fill_many(
            VERIFICATION_NAMESPACE, entries(), settings.CACHE_TTL_VERIFICATION
        )
        self.stdout.write(
            f"cache warmed: {written} verification entries written "
            f"in {time.perf_counter() - started:.1f}s"
        )
