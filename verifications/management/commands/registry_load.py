"""``manage.py registry_load [FILE ...]``: load GLEIF records into the offline register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from verifications.models import RegistryEntity
from verifications.registries.loader import DEFAULT_FILES, registry_load


class Command(BaseCommand):
    """Upsert GLEIF CSV records (LEI, legal name, country, category, status) into
    ``registry_entities``; with no file, the bundled sample. Safe to re-run."""

    help = "Load GLEIF LEI records into the local registry table (upsert by LEI)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="GLEIF CSV files")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if the table has rows"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and RegistryEntity.objects.exists():
            self.stdout.write("registry_entities already loaded; skipped")
            return
        paths = tuple(options["files"]) or DEFAULT_FILES
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            self.stderr.write(f"not found: {', '.join(missing)}")
            raise SystemExit(2)
        total = registry_load(paths=paths, progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"registry_entities: {total} rows upserted"))
