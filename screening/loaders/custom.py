"""Custom list CSV: an integrator's or compliance team's own list.

Header row required. Columns: ``id``, ``name``, ``type`` (person, organization, vessel, aircraft,
unknown; ``individual`` and ``entity`` are accepted too), optional ``aliases`` (separated by ``;``),
``country`` (``;``-separated for several) and ``program``.
"""

from __future__ import annotations

from pathlib import Path

from screening.loaders.base import (
    ENTITY_TYPES,
    LoadError,
    LoadIssue,
    ParsedEntry,
    ParseResult,
    csv_rows,
    read_text,
    unique,
)

REQUIRED = ("id", "name", "type")
_TYPE_ALIASES = {"individual": "person", "entity": "organization", "organisation": "organization"}


def _split(value: str | None) -> list[str]:
    return unique((value or "").split(";"))


def parse_custom(path: Path) -> ParseResult:
    """Parse a custom list; rows lacking id or name, of unknown type or repeating an id: issues.

    The file must be UTF-8 (a BOM is fine); otherwise ``LoadError`` names the first bad line.
    """
    result = ParseResult()
    text, result.warnings = read_text(path)
    rows = csv_rows(text, path.name, result.issues)
    first = next(rows, None)
    if result.issues:
        raise LoadError(path.name, result.issues[0].line, f"header {result.issues[0].message}")
    header = [h.strip().lower() for h in (first[1] if first else [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise LoadError(path.name, None, f"header lacks column(s) {', '.join(missing)}")
    seen: set[str] = set()
    for line, values in rows:
        row: dict[str, str] = dict(zip(header, values, strict=False))
        entity_id, name = (row.get("id") or "").strip(), (row.get("name") or "").strip()
        raw_type = (row.get("type") or "").strip().lower()
        entity_type = _TYPE_ALIASES.get(raw_type, raw_type)
        problem = None
        if len(values) > len(header):
            problem = "more columns than the header"
        elif not entity_id or not name:
            problem = "id and name are required"
        elif entity_type not in ENTITY_TYPES:
            problem = f"unknown type {raw_type[:40]!r}"
        elif entity_id in seen:
            problem = f"duplicate id {entity_id[:40]}"
        if problem:
            result.issues.append(LoadIssue(path.name, line, problem))
            continue
        seen.add(entity_id)
        result.add(
            ParsedEntry(
                entity_id=entity_id,
                entity_type=entity_type,
                primary_name=name,
                aliases=[a for a in _split(row.get("aliases")) if a != name],
                countries=_split(row.get("country")),
                programs=_split(row.get("program")),
            ),
            path.name,
            line,
        )
    return result
