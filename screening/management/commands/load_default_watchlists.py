"""``manage.py load_default_watchlists [--if-empty]``: load the lists shipped in
``screening/data/`` (OFAC SDN + alt + add, OFAC consolidated non-SDN, UN Security Council).

``make run`` calls it with ``--if-empty`` through ``kyb_bootstrap``: a source that already has
an active version is left alone. Production loads the current official files with
``load_watchlist`` (see screening/README.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.models import ListSource, WatchList
from screening.selectors import BUNDLED_ORIGIN
from screening.services import ScreeningError, watchlist_load

DATA = Path(__file__).resolve().parents[2] / "data"
SHIPPED: dict[str, list[Path]] = {
    ListSource.OFAC_SDN: [DATA / "ofac_sdn_2021-07" / f for f in ("sdn.csv", "alt.csv", "add.csv")],
    ListSource.OFAC_CONS: [
        DATA / "ofac_cons" / f for f in ("cons_prim.csv", "cons_alt.csv", "cons_add.csv")
    ],
    ListSource.UN: [DATA / "un" / "un_sc_consolidated_2026-02-27.xml"],
}
# The publisher's dates of the shipped snapshots (the CSVs print none; the UN XML does): they
# make the snapshots stale by date everywhere staleness shows (metric, /readyz, API, console).
SHIPPED_PUBLISHED: dict[str, datetime] = {
    ListSource.OFAC_SDN: datetime(2021, 7, 1, tzinfo=UTC),
    ListSource.OFAC_CONS: datetime(2025, 12, 1, tzinfo=UTC),
}


class Command(BaseCommand):
    help = "Load the watchlists shipped with the product (OFAC SDN, OFAC non-SDN, UN)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="skip sources that already have a list"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for source, paths in SHIPPED.items():
            if options["if_empty"] and WatchList.objects.filter(source=source, is_active=True):
                self.stdout.write(f"{source}: already loaded, skipped")
                continue
            try:
                result = watchlist_load(
                    source=source,
                    paths=paths,
                    published_at=SHIPPED_PUBLISHED.get(source),
                    origin=BUNDLED_ORIGIN,
                )
            except (ScreeningError, ValueError, OSError) as exc:
                raise CommandError(f"{source}: {exc}") from exc
            for warning in result.warnings:
                self.stderr.write(f"warning {warning}")
            for issue in result.issues:
                self.stderr.write(f"skipped {issue}")
            wl = result.watchlist
            self.stdout.write(
                f"{source}: v{wl.version}, {wl.entry_count} entries, "
                f"{len(result.issues)} rows skipped"
            )
            if not settings.DEBUG:
                self.stderr.write(
                    self.style.WARNING(
                        f"{source}: these are the snapshots shipped for demos and tests, not "
                        "today's list (reported stale). Load the current one with "
                        "`manage.py refresh_watchlists` (the beat task does it daily; alert "
                        "KybWatchlistStale)."
                    )
                )
