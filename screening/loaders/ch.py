"""Swiss SECO sanctions list, XML (https://www.sesam.search.admin.ch/sesam-search-web/pages/downloadXmlGesamtliste.xhtml?lang=en&action=downloadXmlGesamtlisteAction).

Root ``swiss-sanctions-list`` with ``date`` (the publisher's date); one ``target`` (``ssid``) per
party holding an ``individual``, ``entity`` or ``object`` with ``identity`` blocks; each ``name``
is built from its ``name-part`` values in ``order``; every ``spelling-variant`` (often Cyrillic or
another transliteration) is kept as an alias. ``modification`` elements record the history: a
target whose latest modification is ``de-listed`` is no longer sanctioned and is left out.
``sanctions-program`` header blocks, when present, give program names by ``sanctions-set-id``.
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

_KINDS = {"individual": "person", "entity": "organization", "object": "unknown"}


def _whole_name(name: ET.Element) -> str:
    parts = sorted(name.findall("name-part"), key=lambda p: int(p.get("order") or 0))
    return " ".join((p.findtext("value") or "").strip() for p in parts).strip()


def _variants(name: ET.Element) -> list[str]:
    """Whole names made of each part's spelling variants of one language and script."""
    by_key: dict[tuple[str, str], list[str]] = {}
    parts = sorted(name.findall("name-part"), key=lambda p: int(p.get("order") or 0))
    for part in parts:
        for variant in part.findall("spelling-variant"):
            key = (variant.get("lang", ""), variant.get("script", ""))
            by_key.setdefault(key, []).append((variant.text or "").strip())
    return [" ".join(words) for words in by_key.values()]


def _delisted(target: ET.Element) -> bool:
    history = sorted(
        target.findall("modification"),
        key=lambda m: m.get("effective-date") or m.get("publication-date") or "",
    )
    return bool(history) and history[-1].get("modification-type") == "de-listed"


def _programs(root: ET.Element) -> dict[str, str]:
    programs: dict[str, str] = {}
    for program in root.findall("sanctions-program"):
        title = (program.findtext("program-name") or program.findtext("program-key") or "").strip()
        for set_id in program.findall("sanctions-set"):
            programs[set_id.get("ssid", "")] = title
    return programs


def _entry(target: ET.Element, programs: dict[str, str]) -> ParsedEntry | None:
    body = next((c for c in target if c.tag in _KINDS), None)
    if body is None:
        return None
    names: list[str] = []
    for identity in body.findall("identity"):
        for name in identity.findall("name"):
            names += [_whole_name(name), *_variants(name)]
    names = unique(names)
    set_ids = [s.text or "" for s in target.findall("sanctions-set-id")]
    entry = ParsedEntry(
        entity_id=target.get("ssid", ""),
        entity_type=_KINDS[body.tag] if body.tag != "object" else _object_type(body),
        primary_name=names[0] if names else "",
        aliases=names[1:],
        programs=unique([programs.get(s, s) for s in set_ids]),
        remarks=" ".join(
            (j.text or "").strip() for j in body.findall("justification") if j.text
        ).strip(),
    )
    entry.countries = unique([c.get("iso-code") or (c.text or "") for c in body.iter("country")])
    entry.dates_of_birth = unique(
        [
            "-".join(x for x in (d.get("year"), d.get("month"), d.get("day")) if x)
            for d in body.iter("day-month-year")
        ]
    )
    for doc in body.iter("identification-document"):
        number = (doc.findtext("number") or "").strip()
        if number:
            entry.identifiers.append(Identifier(doc.get("document-type") or "Document", number))
    return entry


def _object_type(body: ET.Element) -> str:
    kind = (body.get("object-type") or "").lower()
    return "vessel" if kind == "vessel" else "aircraft" if kind == "aircraft" else "unknown"


def parse_ch(path: Path) -> ParseResult:
    """Parse a SECO whole-list XML; de-listed targets are left out (not issues)."""
    root = parse_xml_root(path)
    if root.tag != "swiss-sanctions-list":
        raise LoadError(path.name, 1, f"not a SECO sanctions list (root element {root.tag!r})")
    result = ParseResult(published_at=parse_date(root.get("date", ""), "%Y-%m-%d"))
    programs = _programs(root)
    seen: set[str] = set()
    for position, target in enumerate(root.findall("target"), start=1):
        if _delisted(target):
            continue
        entry = _entry(target, programs)
        problem = None
        if entry is None or not entry.entity_id or not entry.primary_name:
            problem = "target without ssid or name"
        elif entry.entity_id in seen:
            problem = f"duplicate entity {entry.entity_id}"
        if problem or entry is None:
            result.issues.append(LoadIssue(path.name, position, problem or "no target"))
            continue
        seen.add(entry.entity_id)
        result.add(entry, path.name, position)
    return result
