"""The two UK lists: the FCDO UK Sanctions List (XML) and OFSI's consolidated list (ConList.csv).

FCDO UK Sanctions List, XML (https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml):
root ``Designations`` with ``DateGenerated`` (dd/mm/yyyy, the publisher's date); one
``Designation`` per party: ``UniqueID``, ``RegimeName``, ``IndividualEntityShip``, ``Names/Name``
(``Name1``..``Name5`` given names, ``Name6`` family or entity name, ``NameType`` "Primary Name" /
"Primary Name Variation" / "Alias"), ``NonLatinNames``, ``Addresses``, ``IndividualDetails``
(DOBs, nationalities, passports, national ids), ``EntityDetails`` (registration numbers),
``ShipDetails`` (IMO numbers, flags).

OFSI Consolidated List, 2022 CSV format
(https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv): a first line
``Last Updated,dd/mm/yyyy``, then a header row and one row per name of a party; rows of one party
share ``Group ID``; ``Alias Type`` says which row is the primary name. Columns are read by header
name, so the pre-2022 layout (29 columns, no first line, Windows-1252) reads too.
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
    csv_rows,
    parse_date,
    parse_xml_root,
    read_text,
    unique,
)

_TYPES = {"individual": "person", "entity": "organization", "ship": "vessel"}
_NAME_PARTS = ("Name1", "Name2", "Name3", "Name4", "Name5", "Name6")
_DATE = ("%d/%m/%Y",)


def _texts(node: ET.Element, path: str) -> list[str]:
    return [(v.text or "").strip() for v in node.findall(path) if v.text and v.text.strip()]


def _fcdo_names(node: ET.Element) -> tuple[str, list[str]]:
    primary, others = "", []
    for name in node.findall("Names/Name"):
        whole = " ".join(p for p in (name.findtext(t, "").strip() for t in _NAME_PARTS) if p)
        if not whole:
            continue
        if not primary and name.findtext("NameType", "").strip().lower() == "primary name":
            primary = whole
        else:
            others.append(whole)
    others += _texts(node, "NonLatinNames/NonLatinName/NameNonLatinScript")
    if not primary and others:
        primary = others.pop(0)
    return primary, [a for a in unique(others) if a != primary]


def _fcdo_entry(node: ET.Element) -> ParsedEntry:
    kind = node.findtext("IndividualEntityShip", "").strip().lower()
    primary, aliases = _fcdo_names(node)
    entry = ParsedEntry(
        entity_id=node.findtext("UniqueID", "").strip(),
        entity_type=_TYPES.get(kind, "unknown"),
        primary_name=primary,
        aliases=aliases,
        programs=unique([node.findtext("RegimeName", "")]),
        remarks=node.findtext("OtherInformation", "").strip(),
    )
    entry.countries = unique(
        _texts(node, ".//Nationalities/Nationality")
        + _texts(node, "Addresses/Address/AddressCountry")
        + _texts(node, ".//CurrentBelievedFlagOfShips/CurrentBelievedFlagOfShip")
    )
    entry.dates_of_birth = unique(_texts(node, ".//DOBs/DOB"))
    for label, path in (
        ("Passport", ".//PassportDetails/Passport/PassportNumber"),
        (
            "National ID No.",
            ".//NationalIdentifierDetails/NationalIdentifier/NationalIdentifierNumber",
        ),
        ("Registration Number", ".//BusinessRegistrationNumbers/BusinessRegistrationNumber"),
        ("IMO", ".//IMONumbers/IMONumber"),
    ):
        for value in unique(_texts(node, path)):
            entry.identifiers.append(Identifier(label, value.removeprefix("IMO")))
    return entry


def parse_uk_fcdo(path: Path) -> ParseResult:
    """Parse the FCDO UK Sanctions List XML; a designation without id or name is an issue."""
    root = parse_xml_root(path)
    if root.tag != "Designations":
        raise LoadError(path.name, 1, f"not a UK Sanctions List (root element {root.tag!r})")
    result = ParseResult(published_at=parse_date(root.findtext("DateGenerated", ""), *_DATE))
    seen: set[str] = set()
    for position, node in enumerate(root.findall("Designation"), start=1):
        entry = _fcdo_entry(node)
        problem = None
        if not entry.entity_id or not entry.primary_name:
            problem = "designation without UniqueID or name"
        elif entry.entity_id in seen:
            problem = f"duplicate entity {entry.entity_id}"
        if problem:
            result.issues.append(LoadIssue(path.name, position, problem))
            continue
        seen.add(entry.entity_id)
        result.add(entry, path.name, position)
    return result


_OFSI_NAME_COLUMNS = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6")
_OFSI_PRIMARY = ("primary name", "prime alias")


def _ofsi_header(rows: list[tuple[int, list[str]]], file: str) -> tuple[list[str], int, str | None]:
    """The header (its fields stripped; a leading blank field dropped), where data starts, and
    the ``Last Updated`` date of the first line if the file has one."""
    published = None
    start = 0
    if rows and rows[0][1] and rows[0][1][0].strip().lower() == "last updated":
        published = rows[0][1][1] if len(rows[0][1]) > 1 else ""
        start = 1
    if len(rows) <= start:
        raise LoadError(file, None, "no header row")
    header = [h.strip() for h in rows[start][1]]
    if header and not header[0]:
        header = header[1:]
    if "Group ID" not in header or "Name 6" not in header:
        raise LoadError(file, rows[start][0], "header lacks Group ID / Name 6: not an OFSI ConList")
    return header, start + 1, published


def parse_uk_ofsi(path: Path) -> ParseResult:
    """Parse ConList.csv: rows grouped by Group ID into one entry per party."""
    result = ParseResult()
    text, result.warnings = read_text(path, fallback="cp1252")
    rows = list(csv_rows(text, path.name, result.issues))
    header, start, published = _ofsi_header(rows, path.name)
    if published:
        result.published_at = parse_date(published, *_DATE)
    by_group: dict[str, ParsedEntry] = {}
    for line, values in rows[start:]:
        row = dict(zip(header, (v.strip() for v in values), strict=False))
        group, name = row.get("Group ID", ""), _ofsi_name(row)
        if not group or not name:
            result.issues.append(LoadIssue(path.name, line, "row without Group ID or name"))
            continue
        entry = by_group.get(group)
        if entry is None:
            entry = ParsedEntry(
                entity_id=group,
                entity_type=_TYPES.get(row.get("Group Type", "").lower(), "unknown"),
                primary_name=name,
            )
            by_group[group] = entry
            result.add(entry, path.name, line)
        elif row.get("Alias Type", "").lower() in _OFSI_PRIMARY:
            entry.aliases.append(entry.primary_name)
            entry.primary_name = name
        else:
            entry.aliases.append(name)
        _ofsi_details(entry, row)
    for entry in result.entries:
        entry.aliases = [a for a in unique(entry.aliases) if a != entry.primary_name]
        for attr in ("programs", "countries", "dates_of_birth"):
            setattr(entry, attr, unique(getattr(entry, attr)))
    return result


def _ofsi_name(row: dict[str, str]) -> str:
    return " ".join(p for p in (row.get(c, "") for c in _OFSI_NAME_COLUMNS) if p)


def _ofsi_details(entry: ParsedEntry, row: dict[str, str]) -> None:
    if non_latin := row.get("Name Non-Latin Script", ""):
        entry.aliases.append(non_latin)
    entry.programs.append(row.get("Regime", ""))
    entry.countries += [row.get("Country", ""), row.get("Nationality", "")]
    if dob := row.get("DOB", ""):
        entry.dates_of_birth.append(dob)
    if not entry.remarks:
        entry.remarks = row.get("Other Information", "")
    for label, columns in (
        ("Passport", ("Passport Number",)),
        ("National ID No.", ("National Identification Number", "NI Number")),
    ):
        value = next((row[c] for c in columns if row.get(c)), "")
        if value and all(i.value != value for i in entry.identifiers):
            entry.identifiers.append(Identifier(label, value))
