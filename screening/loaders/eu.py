"""EU Financial Sanctions Files (FSF), consolidated list, XML export 1.1.

Namespace ``http://eu.europa.ec/fpi/fsd/export``; root ``export`` with ``generationDate`` (the
publisher's date); one ``sanctionEntity`` per listed party with ``euReferenceNumber`` and
``logicalId``, ``subjectType code="person|enterprise"``, ``nameAlias`` (``wholeName``, the first
one is the primary name), ``citizenship``/``address`` (``countryIso2Code``), ``birthdate``,
``identification`` (``identificationTypeDescription``, ``number``) and ``regulation``
(``programme``). Official URL (token is public, printed on the EU's FSF page):
https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=...
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
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

NS = "{http://eu.europa.ec/fpi/fsd/export}"
_TYPES = {"person": "person", "enterprise": "organization", "vessel": "vessel"}


def _all(node: ET.Element, tag: str) -> list[ET.Element]:
    return node.findall(NS + tag)


def _entry(node: ET.Element) -> ParsedEntry:
    subject = node.find(NS + "subjectType")
    code = subject.get("code", "") if subject is not None else ""
    names = unique([a.get("wholeName", "") for a in _all(node, "nameAlias")])
    entry = ParsedEntry(
        entity_id=node.get("euReferenceNumber") or f"EU-{node.get('logicalId', '')}",
        entity_type=_TYPES.get(code, "unknown"),
        primary_name=names[0] if names else "",
        aliases=names[1:],
        programs=unique([r.get("programme", "") for r in _all(node, "regulation")]),
        remarks=" ".join((r.text or "").strip() for r in _all(node, "remark")).strip(),
    )
    entry.countries = unique(
        [c.get("countryIso2Code", "") for c in _all(node, "citizenship")]
        + [a.get("countryIso2Code", "") for a in _all(node, "address")]
    )
    entry.countries = [c for c in entry.countries if c != "00"]  # "00": unknown country
    entry.dates_of_birth = unique(
        [b.get("birthdate") or b.get("year") or "" for b in _all(node, "birthdate")]
    )
    for doc in _all(node, "identification"):
        number = (doc.get("number") or "").strip()
        if number and number != "-":
            entry.identifiers.append(
                Identifier(
                    doc.get("identificationTypeDescription") or "Document",
                    number,
                    doc.get("countryIso2Code", "") if doc.get("countryIso2Code") != "00" else "",
                )
            )
    return entry


def parse_eu(path: Path) -> ParseResult:
    """Parse an FSF XML 1.1 export; an entity without a name or reference is an issue."""
    root = parse_xml_root(path)
    if root.tag != NS + "export":
        raise LoadError(path.name, 1, f"not an EU FSF export (root element {root.tag!r})")
    result = ParseResult(
        published_at=parse_date(
            root.get("generationDate", ""), "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"
        )
    )
    seen: set[str] = set()
    for position, node in enumerate(_all(root, "sanctionEntity"), start=1):
        entry = _entry(node)
        problem = None
        if not entry.primary_name:
            problem = "sanctionEntity without a name"
        elif entry.entity_id in seen:
            problem = f"duplicate entity {entry.entity_id}"
        if problem:
            result.issues.append(LoadIssue(path.name, position, problem))
            continue
        seen.add(entry.entity_id)
        result.add(entry, path.name, position)
    return result
