# ruff: noqa: RUF001, RUF002 - the list's own Cyrillic names and quotation marks are what this parser reads.
"""Canada, Consolidated Canadian Autonomous Sanctions List (SEMA and JVCFOR regulations), XML
(https://www.international.gc.ca/world-monde/assets/office_docs/international_relations-relations_internationales/sanctions/sema-lmes.xml).

Root ``data-set``, one ``record`` per party: ``Country``, ``LastName`` + ``GivenName`` (persons)
or ``EntityOrShip`` (entities and ships; ``ShipIMONumber`` marks a ship, whose type is in
``TitleOrShip``), ``Aliases`` (free text, often Cyrillic: see :func:`split_aliases`),
``DateOfBirthOrShipBuildDate``,
``Schedule``, ``Item``, ``DateOfListing``. Newer files use bilingual tags (``Country-Pays``,
``LastName-NomDeFamille``, ...): a tag is read by its part before the first ``-``. The format
has no stable id: ``Country|Schedule|Item`` identifies a record (unique within a file), and no
publication date: the newest ``DateOfListing`` stands in unless the download had a Last-Modified.
"""

from __future__ import annotations

import re
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
from screening.matching.normalize import tokenize
from screening.matching.vocabulary import legal_forms

# "Russian: ...", "Belarusian:...", "... Mousa Arabic:عبدالرحيم": a language label, wherever it is.
_LANGUAGE_LABEL = re.compile(
    r"\b(?:Arabic|Armenian|Belarusian|Belarussian|Burmese|Chinese|English|Farsi|French|Georgian"
    r"|Korean|Moldovan|Persian|Romanian|Russian|Spanish|Ukrainian)\s*:\s*"
)
_OR = re.compile(r"\s*,?\s+or\s+")
_NON_LATIN_LETTER = re.compile(r"[^\W\d_a-zA-Z\u00C0-\u024F]")
_QUOTES = "\"'«»“”„‘’` "


def split_aliases(text: str, *, person: bool) -> list[str]:
    """The names in one ``Aliases`` field.

    The field is free text: names separated by ``;``, commas and " or ", some behind a language
    label ("Russian: ..."), Cyrillic or Arabic names joined by an English " and " or a "/"
    ("ООО Машприборинторг-Волна and МПИ-Волна"); a line break only wraps a long name. Left whole,
    "Юнармия or Всероссийское ... движение "ЮНАРМИЯ"" was one alias that no query could meet.
    Kept together on purpose, as parts of one name:

    * " and " and "/" between Latin words ("Investment and Commercial Bank", "ISFAHAN/ESFAHAN");
    * after a comma, words that continue a name ("Министерство культуры, спорта и туризма ...":
      a lower-case start), a legal form ("ПЭМЗ «Молот», АО"), and a single word that is no
      acronym ("Nuclear, Chemical and Biological Defence Troops"; for a person, any single word);
    * a person's " or " between words rather than whole names ("Aleksandr Evgenyevich or
      Evgenievich Kon'kov": spellings of one word); it splits only after a full name of three
      words or more ("Елена Петровна Тимченко or Елена Ермакова").
    """
    names: list[str] = []
    for segment in re.split(r";|" + _LANGUAGE_LABEL.pattern, " ".join(text.split("\n"))):
        for piece in _comma_names(segment, person=person):
            alternatives = _OR.split(piece)
            if person and (
                len(alternatives[0].split()) < 3 or any(len(a.split()) < 2 for a in alternatives)
            ):
                alternatives = [piece]
            for alternative in alternatives:
                names.extend(_split_between_scripts(alternative, person=person))
    return [n for n in (" ".join(n.split()).strip(",") for n in names) if any(map(str.isalpha, n))]


def _comma_names(segment: str, *, person: bool) -> list[str]:
    parts = [p.strip() for p in re.split(r",(?!\s*or\s)", segment)]
    parts = [p for p in parts if p]
    out: list[str] = []
    carried = ""  # a single word no name precedes (or no acronym), carried to the name after it
    for part in parts:
        words = part.strip(_QUOTES + ".").split()
        single = len(words) == 1
        continues = part[0].islower() and not re.match(r"\w['’]", part)  # not "l'Armée ..."
        if out and (continues or (single and (person or _legal_form(words[0])))):
            out[-1] = f"{out[-1]}, {part}"
        elif single and (person or not _acronym(words[0])):
            carried = f"{carried}{part}, "
        else:
            out.append(carried + part)
            carried = ""
    if carried and out:  # a single word last: it ends the name before it
        out[-1] = f"{out[-1]}, {carried.rstrip(', ')}"
    elif carried:
        out.append(carried.rstrip(", "))
    return out


def _legal_form(word: str) -> bool:
    """A legal form a comma sets after a name ("ПЭМЗ «Молот», АО"): part of that name."""
    return tokenize(word) in legal_forms().suffixes


def _acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and (all(c.isupper() for c in letters) or any(c.isdigit() for c in word))


def _split_between_scripts(name: str, *, person: bool) -> list[str]:
    """Split on " and " and "/" only where both sides are written in another script than Latin
    (and, for a person, are names of two words or more)."""
    parts = [name]
    for separator in (r"\s+and\s+", r"\s*/\s*"):
        split: list[str] = []
        for part in parts:
            pieces = re.split(separator, part)
            if (
                len(pieces) > 1
                and all(_NON_LATIN_LETTER.search(p) for p in pieces)
                and not (person and any(len(p.split()) < 2 for p in pieces))
            ):
                split.extend(pieces)
            else:
                split.append(part)
        parts = split
    return parts


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
        aliases=[
            a for a in unique(split_aliases(row.get("Aliases", ""), person=person)) if a != name
        ],
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
