"""``manage.py registry_load [FILE ...]``: load GLEIF records into the offline register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from verifications.registries.loader import DEFAULT_FILES, RegistryLoadError, registry_load


class Command(BaseCommand):
    """Upsert GLEIF CSV records (LEI, legal name, country, category, status) into
    ``registry_entities``; with no file, the bundled sample. Safe to re-run.

    A row without an LEI or legal name, with an LEI that is not 20 letters and digits, a country
    that is not a 2-letter code, a value too long for its column or a NUL is printed as
    ``skipped FILE:LINE: reason`` and counted. A file without the ``LEI`` and
    ``Entity.LegalName`` columns, not UTF-8 or not readable as CSV stops the command; each file is
    loaded in one transaction, so files before it stay loaded and nothing of it is written."""

    help = (
        "Load GLEIF LEI records into the local registry table (upsert by LEI). Unusable rows are "
        "reported as 'skipped FILE:LINE: reason'. --if-empty skips each file already loaded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="GLEIF CSV files")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=(
                "skip each file already loaded (some row has its file name as source; a file is "
                "loaded in one transaction, so an interrupted run is completed by the next one)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = tuple(options["files"]) or DEFAULT_FILES
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise CommandError(f"not a file: {', '.join(missing)}")
        try:
            result = registry_load(
                paths=paths, progress=self.stdout.write, skip_loaded=options["if_empty"]
            )
        except RegistryLoadError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"cannot read {exc.filename}: {exc.strerror}") from exc
        for line in result.skipped:
            self.stderr.write(f"skipped {line}")
        if result.already_loaded and len(result.already_loaded) == len(paths):
            self.stdout.write("registry_entities already loaded; skipped")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"registry_entities: {result.upserted} rows upserted, "
                f"{len(result.skipped)} rows skipped"
            )
        )
