"""What every list parser produces: entries to load and the rows it had to skip."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json

# The stdlib parser is used on purpose: Python 3.11 ships expat >= 2.4.1, which refuses the
# billion-laughs and quadratic-blowup entity tricks, and the parser never fetches external DTDs.
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ENTITY_TYPES = ("person", "organization", "vessel", "aircraft", "unknown")

# Column limits of screening.models.WatchListEntry (checked against the model by a test). A value
# over a limit would make PostgreSQL abort the whole load (varchar) or, inside an array column,
# silently cut the value short; such a row is reported and skipped instead.
ENTITY_ID_MAX = 128  # including the ``name:`` prefix of a custom list
PRIMARY_NAME_MAX = 1000
PROGRAM_MAX = 200
COUNTRY_MAX = 200
DATE_OF_BIRTH_MAX = 100


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


class LoadError(ValueError):
    """A file that cannot be read at all (not well-formed, undecodable): the load stops."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")


@dataclass(slots=True)
class ParseResult:
    """Entries in file order plus the problems met on the way.

    ``issues`` are rows that were skipped; ``warnings`` are things the operator must know about
    rows that were loaded (a line read as Windows-1252). ``origins`` maps an entity id to the
    file and line the entry starts on, for reporting an entry rejected after parsing.
    ``published_at`` is the date the publisher printed on the file (None when the format has none).
    """

    entries: list[ParsedEntry] = field(default_factory=list)
    issues: list[LoadIssue] = field(default_factory=list)
    warnings: list[LoadIssue] = field(default_factory=list)
    origins: dict[str, tuple[str, int]] = field(default_factory=dict)
    published_at: datetime | None = None

    def add(self, entry: ParsedEntry, file: str, line: int) -> None:
        """Keep an entry and where it came from."""
        self.entries.append(entry)
        self.origins[entry.entity_id] = (file, line)

    def drop_invalid(self, *, id_prefix: str = "") -> None:
        """Move entries the database could not store (see ``entry_problem``) to the issues."""
        kept: list[ParsedEntry] = []
        for entry in self.entries:
            problem = entry_problem(entry, id_prefix=id_prefix)
            if problem is None:
                kept.append(entry)
                continue
            file, line = self.origins.get(entry.entity_id, ("?", 0))
            self.issues.append(LoadIssue(file, line, f"entity {entry.entity_id[:40]!r}: {problem}"))
        self.entries = kept


def unique(values: list[str]) -> list[str]:
    """De-duplicate, keep order, drop blanks."""
    seen: set[str] = set()
    out: list[str] = []
    for value in (v.strip() for v in values):
        if value and value not in seen:
            seen.add(value)
            out.append(value)
    return out


def value_problem(label: str, value: str, limit: int | None = None) -> str | None:
    """Why ``value`` cannot be stored in a column of ``limit`` characters, or None."""
    if "\x00" in value:
        return f"{label} contains a NUL character"
    if limit is not None and len(value) > limit:
        return f"{label} is {len(value)} characters, the limit is {limit}"
    return None


def entry_problem(entry: ParsedEntry, *, id_prefix: str = "") -> str | None:
    """The first reason ``entry`` cannot be stored as a WatchListEntry, or None.

    ``id_prefix`` is what the load puts before the entity id (``name:`` for a custom list); it
    counts against the entity id column.
    """
    room = ENTITY_ID_MAX - len(id_prefix)
    checks: list[tuple[str, str, int | None]] = [
        ("id", entry.entity_id, room),
        ("name", entry.primary_name, PRIMARY_NAME_MAX),
        ("remarks", entry.remarks, None),
    ]
    checks += [("alias", a, None) for a in entry.aliases]
    checks += [("program", p, PROGRAM_MAX) for p in entry.programs]
    checks += [("country", c, COUNTRY_MAX) for c in entry.countries]
    checks += [("date of birth", d, DATE_OF_BIRTH_MAX) for d in entry.dates_of_birth]
    for identifier in entry.identifiers:
        checks += [
            ("identifier type", identifier.type, None),
            ("identifier", identifier.value, None),
            ("identifier country", identifier.country, None),
        ]
    for label, value, limit in checks:
        if problem := value_problem(label, value, limit):
            if label == "id" and id_prefix:
                problem += f" with the list prefix {id_prefix!r}"
            return problem
    return None


def read_text(path: Path, *, fallback: str | None = None) -> tuple[str, list[LoadIssue]]:
    """The text of ``path`` as UTF-8 (a BOM is dropped), and the warnings about it.

    A file that is not valid UTF-8 is refused (``LoadError`` naming the first bad line) unless a
    ``fallback`` codec is given: then only the lines that are not UTF-8 are decoded with it, and a
    warning names them, so a file mixing both encodings keeps its UTF-8 lines intact. A line the
    fallback cannot decode either is a ``LoadError``.
    """
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    parts: list[str] = []
    fallback_lines: list[int] = []
    # bytes.splitlines breaks on \r, \n and \r\n only, as csv does: line numbers agree.
    for number, line in enumerate(raw.splitlines(keepends=True), start=1):
        try:
            parts.append(line.decode("utf-8"))
            continue
        except UnicodeDecodeError as exc:
            byte = line[exc.start]
            if fallback is None:
                raise LoadError(
                    path.name, number, f"not valid UTF-8 (byte 0x{byte:02x}); save it as UTF-8"
                ) from exc
        try:
            parts.append(line.decode(fallback))
        except UnicodeDecodeError as exc:
            raise LoadError(
                path.name,
                number,
                f"neither UTF-8 nor {fallback} (byte 0x{line[exc.start]:02x})",
            ) from exc
        fallback_lines.append(number)
    shown = ", ".join(map(str, fallback_lines[:10])) + (" ..." if len(fallback_lines) > 10 else "")
    warning = LoadIssue(
        path.name,
        fallback_lines[0],
        f"not valid UTF-8: {len(fallback_lines)} line(s) decoded as {fallback} (lines {shown});"
        " check the names on them",
    )
    return "".join(parts), [warning]


def csv_rows(text: str, file: str, issues: list[LoadIssue]) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of each non-blank CSV record; a record csv refuses (a field over
    ``csv.field_size_limit()``) is added to ``issues`` and skipped, and reading goes on."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            issues.append(LoadIssue(file, reader.line_num, f"unreadable row: {exc}"))
            continue
        if row:
            yield reader.line_num, row


def parse_xml_root(path: Path) -> ET.Element:
    """The root element of an XML list file; an empty, truncated or non-XML file (an HTML error
    page served in its place) is a ``LoadError`` and nothing of it is loaded."""
    try:
        return ET.parse(path).getroot()  # noqa: S314 - see the import comment
    except ET.ParseError as exc:
        raise LoadError(path.name, exc.position[0], f"not well-formed XML ({exc})") from exc


def parse_date(value: str, *formats: str) -> datetime | None:
    """``value`` (a publisher's date) read with the first of ``formats`` that fits, as an aware
    datetime (UTC unless the value has an offset); None if none fits."""
    value = (value or "").strip()
    for fmt in formats:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None
