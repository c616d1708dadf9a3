"""``manage.py purge_erased_merchants``: delete the skeletons of erased merchants whose
retention (``ERASURE_RETENTION_DAYS``) is over, now (beat does it daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from merchants.erasure import merchant_erasures_purge


class Command(BaseCommand):
    help = "Purge erased merchants whose retention period is over."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        while purged := merchant_erasures_purge():
            total += purged
        self.stdout.write(f"purged {total} erased merchant(s)")
