"""What every list parser produces: entries to load and the rows it had to skip."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

ENTITY_TYPES = ("person", "organization", "vessel", "aircraft", "unknown")


@dataclass(slots=True)
class Identifier:
    """An identifier printed on a list entry (passport, tax id, LEI, IMO number, ...)."""

    type: str
    value: str
    country: str = ""


@dataclass(slots=True)
class ParsedEntry:
    """One list entry, parsed from an official or custom file, not yet stored."""

    entity_id: str
    entity_type: str
    primary_name: str
    aliases: list[str] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    dates_of_birth: list[str] = field(default_factory=list)
    remarks: str = ""

    def content_hash(self) -> str:
        """A stable digest of everything an analyst judged when clearing a hit on this entry."""
        data: dict[str, Any] = asdict(self)
        payload = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class LoadIssue:
    """A row that could not be used, with where it is."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(slots=True)
class ParseResult:
    """Entries in file order plus the problems met on the way."""

    entries: list[ParsedEntry] = field(default_factory=list)
    issues: list[LoadIssue] = field(default_factory=list)


def unique(values: list[str]) -> list[str]:
    """De-duplicate, keep order, drop blanks."""
    seen: set[str] = set()
    out: list[str] = []
    for value in (v.strip() for v in values):
        if value and value not in seen:
            seen.add(value)
            out.append(value)
    return out
