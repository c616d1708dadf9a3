"""``manage.py refresh_watchlists [--source S ...]``: download the official lists now.

Runs what the daily beat task runs (``screening.fetchers``): a conditional GET per source,
validation (parses; not below ``SCREENING_REFRESH_MIN_RATIO`` of the active version's entries),
an atomic swap, the publisher's date recorded. A failed source leaves its active list as it was;
the command then exits with status 1 after trying every source.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening import fetchers
from screening.models import FetchOutcome


class Command(BaseCommand):
    help = "Download the official sanctions lists and load the ones that changed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            action="append",
            choices=sorted(fetchers.FEEDS),
            help="a source to refresh (repeatable); default: SCREENING_REFRESH_SOURCES",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sources = options["source"] or fetchers.refresh_sources()
        failed = []
        for source in sources:
            result = fetchers.watchlist_refresh(source=source)
            published = f", published {result.published_at:%Y-%m-%d}" if result.published_at else ""
            line = f"{source}: {result.outcome}: {result.message}{published}"
            if result.outcome == FetchOutcome.FAILED:
                failed.append(source)
                self.stderr.write(line)
            else:
                self.stdout.write(line)
        if failed:
            raise CommandError(
                f"{len(failed)} source(s) failed ({', '.join(failed)}); their active lists are kept"
            )
