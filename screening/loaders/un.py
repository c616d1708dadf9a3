"""UN Security Council consolidated list (XML, https://scsanctions.un.org/resources/xml/en/consolidated.xml).

Individuals carry their name in FIRST_NAME .. FOURTH_NAME (given name first), entities in
FIRST_NAME. Aliases of both "Good" and "Low" quality are kept: the list publishes them as names the
party uses, and a missed match costs more than an extra hit an analyst clears.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from screening.loaders.base import (
    Identifier,
    LoadIssue,
    ParsedEntry,
    ParseResult,
    parse_date,
    parse_xml_root,
    unique,
)

_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def _text(node: ET.Element | None, tag: str) -> str:
    if node is None:
        return ""
    child = node.find(tag)
    return (child.text or "").strip() if child is not None and child.text else ""


def _values(node: ET.Element, path: str) -> list[str]:
    return [(v.text or "").strip() for v in node.findall(path) if v.text and v.text.strip()]


def _date_of_birth(node: ET.Element) -> str:
    date, year = _text(node, "DATE"), _text(node, "YEAR")
    start, end = _text(node, "FROM_YEAR"), _text(node, "TO_YEAR")
    if start and end:
        return f"{start} to {end}"
    return date or year


def _entry(node: ET.Element, person: bool) -> ParsedEntry:
    prefix = "INDIVIDUAL" if person else "ENTITY"
    name = " ".join(p for p in (_text(node, tag) for tag in _NAME_PARTS) if p)
    entry = ParsedEntry(
        entity_id=_text(node, "REFERENCE_NUMBER") or _text(node, "DATAID"),
        entity_type="person" if person else "organization",
        primary_name=name,
        programs=unique([_text(node, "UN_LIST_TYPE")]),
        remarks=_text(node, "COMMENTS1"),
    )
    entry.aliases = unique(
        [_text(a, "ALIAS_NAME") for a in node.findall(f"{prefix}_ALIAS")]
        + [_text(node, "NAME_ORIGINAL_SCRIPT")]
    )
    entry.countries = unique(
        _values(node, "NATIONALITY/VALUE")
        + [_text(a, "COUNTRY") for a in node.findall(f"{prefix}_ADDRESS")]
    )
    entry.dates_of_birth = unique(
        [_date_of_birth(d) for d in node.findall("INDIVIDUAL_DATE_OF_BIRTH")]
    )
    for doc in node.findall("INDIVIDUAL_DOCUMENT"):
        number = _text(doc, "NUMBER")
        if number:
            country = _text(doc, "ISSUING_COUNTRY") or _text(doc, "COUNTRY_OF_ISSUE")
            entry.identifiers.append(
                Identifier(_text(doc, "TYPE_OF_DOCUMENT") or "Document", number, country)
            )
    return entry


def parse_un(path: Path) -> ParseResult:
    """Parse the UN consolidated XML into entries; an entry without a name or id is an issue."""
    root = parse_xml_root(path)
    result = ParseResult(
        published_at=parse_date(
            root.get("dateGenerated", ""), "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"
        )
    )
    seen: set[str] = set()
    records = [(n, True) for n in root.iter("INDIVIDUAL")] + [
        (n, False) for n in root.iter("ENTITY")
    ]
    for position, (node, person) in enumerate(records, start=1):
        entry = _entry(node, person)
        if not entry.entity_id or not entry.primary_name:
            # XML has no useful line numbers after parsing; the record's position identifies it.
            result.issues.append(
                LoadIssue(path.name, position, "record without reference number or name")
            )
            continue
        if entry.entity_id in seen:
            result.issues.append(
                LoadIssue(path.name, position, f"duplicate entity {entry.entity_id}")
            )
            continue
        seen.add(entry.entity_id)
        entry.aliases = [a for a in entry.aliases if a != entry.primary_name]
        result.add(entry, path.name, position)
    return result
