"""``manage.py load_watchlist --source ofac_sdn sdn.csv alt.csv add.csv``: load a list version."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from screening.models import ListSource
from screening.services import ScreeningError, watchlist_load


class Command(BaseCommand):
    """Load a watchlist version from official files (OFAC SDN/consolidated CSV, UN XML) or a
    custom CSV, replace the active version atomically, and report skipped rows by line.

    A row that cannot be stored (too long for its column, NUL, over csv's field size limit) is
    printed as ``skipped FILE:LINE: reason`` and left out. A file that cannot be read at all
    (not well-formed XML, not decodable) stops the load with an error naming it; the active
    version is then left as it was."""

    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", required=True, choices=ListSource.values)
        parser.add_argument(
            "--name", help="list name (custom lists; official lists use the source)"
        )
        parser.add_argument("paths", nargs="+", type=Path, help="files, recognised by name")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--published-at",
            type=date.fromisoformat,
            help="the publisher's date (YYYY-MM-DD) for formats that print none (OFAC CSV); "
            "staleness is measured from it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["paths"]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise CommandError(f"not a file: {', '.join(missing)}")
        # tqdm writes partial lines; OutputWrapper.write would end each with a newline, so the
        # bar goes to the wrapped stream itself.
        bar = tqdm(
            unit="entries",
            desc=f"loading {options['source']}",
            disable=options["no_progress"],
            file=self.stderr._out,
        )
        try:
            result = watchlist_load(
                source=options["source"],
                name=options["name"],
                paths=paths,
                progress=bar.update,
                published_at=_midnight(options["published_at"]),
                origin="file:" + ",".join(p.name for p in paths),
            )
        except (ScreeningError, ValueError) as exc:  # LoadError is a ValueError
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"cannot read {exc.filename}: {exc.strerror}") from exc
        finally:
            bar.close()
        for warning in result.warnings:
            self.stderr.write(f"warning {warning}")
        for issue in result.issues:
            self.stderr.write(f"skipped {issue}")
        wl = result.watchlist
        replaced = f", replaced v{result.replaced.version}" if result.replaced else ""
        warned = f", {len(result.warnings)} warning(s)" if result.warnings else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{wl.source}:{wl.name} v{wl.version} active: {wl.entry_count} entries, "
                f"{len(result.issues)} rows skipped{warned}{replaced}, "
                f"{result.pruned} old version(s) pruned"
            )
        )


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=UTC) if day else None
