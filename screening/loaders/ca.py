"""Canada, Consolidated Canadian Autonomous Sanctions List (SEMA and JVCFOR regulations), XML
(https://www.international.gc.ca/world-monde/assets/office_docs/international_relations-relations_internationales/sanctions/sema-lmes.xml).

Root ``data-set``, one ``record`` per party: ``Country``, ``LastName`` + ``GivenName`` (persons)
or ``EntityOrShip`` (entities and ships; ``ShipIMONumber`` marks a ship, whose type is in
``TitleOrShip``), ``Aliases`` (``;``-separated, often Cyrillic), ``DateOfBirthOrShipBuildDate``,
``Schedule``, ``Item``, ``DateOfListing``. Newer files use bilingual tags (``Country-Pays``,
``LastName-NomDeFamille``, ...): a tag is read by its part before the first ``-``. The format
has no stable id: ``Country|Schedule|Item`` identifies a record (unique within a file), and no
publication date: the newest ``DateOfListing`` stands in unless the download had a Last-Modified.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from screening.loaders.base import (
    Identifier,
    LoadError,
    LoadIssue,
    ParsedEntry,
    ParseResult,
    parse_date,
    parse_xml_root,
    unique,
)


def _fields(record: ET.Element) -> dict[str, str]:
    return {child.tag.split("-")[0]: (child.text or "").strip() for child in record}


def _entry(row: dict[str, str]) -> ParsedEntry:
    country = row.get("Country", "")
    person = bool(row.get("LastName") or row.get("GivenName"))
    if person:
        name = " ".join(p for p in (row.get("GivenName", ""), row.get("LastName", "")) if p)
        entity_type = "person"
    else:
        name = row.get("EntityOrShip", "")
        entity_type = "vessel" if row.get("ShipIMONumber") else "organization"
    entry = ParsedEntry(
        entity_id="|".join((country, row.get("Schedule", ""), row.get("Item", ""))),
        entity_type=entity_type,
        primary_name=name,
        aliases=[a for a in unique(row.get("Aliases", "").split(";")) if a != name],
        programs=unique([country]),
        countries=unique([country.split(" / ")[0]]),
    )
    if row.get("DateOfBirthOrShipBuildDate") and person:
        entry.dates_of_birth = [row["DateOfBirthOrShipBuildDate"]]
    if imo := row.get("ShipIMONumber", ""):
        entry.identifiers.append(Identifier("IMO", imo.removeprefix("IMO").strip()))
    return entry


def parse_ca(path: Path) -> ParseResult:
    """Parse the SEMA XML; a record without a name or item is an issue."""
    root = parse_xml_root(path)
    if root.tag != "data-set":
        raise LoadError(path.name, 1, f"not a Canadian sanctions list (root element {root.tag!r})")
    result = ParseResult()
    seen: set[str] = set()
    newest: datetime | None = None
    for position, record in enumerate(root.findall("record"), start=1):
        row = _fields(record)
        entry = _entry(row)
        problem = None
        if not entry.primary_name or not row.get("Item"):
            problem = "record without a name or item"
        elif entry.entity_id in seen:
            problem = f"duplicate record {entry.entity_id}"
        if problem:
            result.issues.append(LoadIssue(path.name, position, problem))
            continue
        seen.add(entry.entity_id)
        result.add(entry, path.name, position)
        listed = parse_date(row.get("DateOfListing", ""), "%Y-%m-%d")
        if listed and (newest is None or listed > newest):
            newest = listed
    result.published_at = newest
    return result
