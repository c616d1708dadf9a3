"""Custom list CSV: an integrator's or compliance team's own list.

Header row required. Columns: ``id``, ``name``, ``type`` (person, organization, vessel, aircraft,
unknown; ``individual`` and ``entity`` are accepted too), optional ``aliases`` (separated by ``;``),
``country`` (``;``-separated for several) and ``program``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from screening.loaders.base import ENTITY_TYPES, LoadIssue, ParsedEntry, ParseResult, unique

REQUIRED = ("id", "name", "type")
_TYPE_ALIASES = {"individual": "person", "entity": "organization", "organisation": "organization"}


def _split(value: str | None) -> list[str]:
    return unique((value or "").split(";"))


def parse_custom(path: Path) -> ParseResult:
    """Parse a custom list; rows lacking id or name, of unknown type or repeating an id: issues."""
    result = ParseResult()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ValueError(f"{path.name}: header lacks column(s) {', '.join(missing)}")
        reader.fieldnames = header
        seen: set[str] = set()
        for row in reader:
            line = reader.line_num
            entity_id, name = (row.get("id") or "").strip(), (row.get("name") or "").strip()
            raw_type = (row.get("type") or "").strip().lower()
            entity_type = _TYPE_ALIASES.get(raw_type, raw_type)
            problem = None
            if None in row:
                problem = "more columns than the header"
            elif not entity_id or not name:
                problem = "id and name are required"
            elif entity_type not in ENTITY_TYPES:
                problem = f"unknown type {raw_type!r}"
            elif entity_id in seen:
                problem = f"duplicate id {entity_id}"
            if problem:
                result.issues.append(LoadIssue(path.name, line, problem))
                continue
            seen.add(entity_id)
            result.entries.append(
                ParsedEntry(
                    entity_id=entity_id,
                    entity_type=entity_type,
                    primary_name=name,
                    aliases=[a for a in _split(row.get("aliases")) if a != name],
                    countries=_split(row.get("country")),
                    programs=_split(row.get("program")),
                )
            )
    return result
