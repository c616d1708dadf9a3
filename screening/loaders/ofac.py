"""OFAC legacy CSV files: SDN (sdn/alt/add/sdn_comments) and consolidated non-SDN (cons_*).

Layout (no header row, ``-0-`` means empty):

* primary ``sdn.csv`` / ``cons_prim.csv``: ent_num, name, type, programs, title, call sign,
  vessel type, tonnage, GRT, vessel flag, vessel owner, remarks
* ``alt.csv`` / ``cons_alt.csv``: ent_num, alt_num, alt_type, alt_name, alt_remarks
* ``add.csv`` / ``cons_add.csv``: ent_num, add_num, address, city/state/postal, country, remarks
* ``sdn_comments.csv`` / ``cons_comments.csv``: ent_num, the part of the remarks past 1000 chars

Identifiers, dates of birth and nationalities are only in the free-text remarks; they are parsed
from the ``;``-separated parts the way OFAC writes them ("Passport P0017003 (Belize)").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from screening.loaders.base import (
    COUNTRY_MAX,
    Identifier,
    LoadIssue,
    ParsedEntry,
    ParseResult,
    csv_rows,
    read_text,
    unique,
    value_problem,
)
from screening.matching.normalize import display_person_name

EMPTY = "-0-"
_TYPES = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "": "organization"}
_ID_LABELS = (
    "Passport",
    "National ID No.",
    "Cedula No.",
    "NIT #",
    "R.F.C.",
    "RFC",
    "C.U.R.P.",
    "CURP",
    "Tax ID No.",
    "RUC #",
    "RIF #",
    "Identification Number",
    "Registration Number",
    "Registration ID",
    "UK Company Number",
    "Company Number",
    "Business Registration Number",
    "Business Registration Document #",
    "Commercial Registry Number",
    "Folio Mercantil No.",
    "Matricula Mercantil No",
    "SWIFT/BIC",
    "Vessel Registration Identification IMO",
    "IMO",
    "MMSI",
    "V.A.T. Number",
    "D.N.I.",
    "D-U-N-S Number",
    "Legal Entity Number",
    "SSN",
    "Driver's License No.",
    "Residency Number",
    "Personal ID Card",
    "Electoral Registry No.",
    "Trade License No.",
    "C.R. No.",
    "Citizen's Card Number",
    "Birth Certificate Number",
    "Aircraft Manufacturer's Serial Number (MSN)",
    "Aircraft Tail Number",
    "Aircraft Mode S Transponder Code",
    "Chinese Commercial Code",
    "Kenyan ID No.",
    "Italian Fiscal Code",
    "Stateless Person ID Card",
    "Refugee ID Card",
    "US FEIN",
    "Government Gazette Number",
    "Public Security and Immigration No.",
)
_ID_PATTERN = re.compile(
    r"^(?:alt\.\s+)?(?P<label>Digital Currency Address - [A-Z0-9]+|"
    + "|".join(re.escape(label) for label in sorted(_ID_LABELS, key=len, reverse=True))
    + r")\s+(?P<value>[^\s(;]+)(?:[^(]*\((?P<country>[^)]+)\))?"
)
_DOB = re.compile(r"^(?:alt\.\s+)?DOB\s+(?P<value>.+)$")
_AKA = re.compile(r"^[afn]\.k\.a\.\s+'(?P<value>.+)'$")
_NATIONALITY = re.compile(r"^(?:alt\.\s+)?(?:nationality|citizen)\s+(?P<value>.+)$")


def _clean(value: str) -> str:
    value = value.strip()
    return "" if value == EMPTY else value


def _read_rows(path: Path, result: ParseResult) -> Iterator[tuple[int, list[str]]]:
    # OFAC's current files are ASCII/UTF-8; older ones were Windows-1252. Lines that are not
    # UTF-8 are read as Windows-1252 and reported as a warning; UTF-8 lines are never re-decoded.
    text, warnings = read_text(path, fallback="cp1252")
    result.warnings.extend(warnings)
    for line, row in csv_rows(text, path.name, result.issues):
        if row == ["\x1a"]:
            continue  # the DOS end-of-file marker OFAC files end with
        yield line, row


def _file_role(path: Path) -> str:
    name = path.name.lower()
    for role in ("alt", "add", "comments"):
        if name.endswith(f"{role}.csv"):
            return role
    return "primary"


def parse_remarks(entry: ParsedEntry, remarks: str) -> None:
    """Pull identifiers, dates of birth and nationalities out of OFAC remarks text."""
    entry.remarks = remarks
    for part in (p.strip().rstrip(".") for p in remarks.split(";")):
        if match := _ID_PATTERN.match(part):
            value = match["value"].rstrip(".,")
            entry.identifiers.append(Identifier(match["label"], value, match["country"] or ""))
        elif match := _DOB.match(part):
            entry.dates_of_birth.append(match["value"].strip())
        elif match := _AKA.match(part):
            entry.aliases.append(match["value"].strip())
        elif match := _NATIONALITY.match(part):
            entry.countries.append(match["value"].strip())


def _primary(path: Path, result: ParseResult, by_id: dict[str, ParsedEntry]) -> dict[str, str]:
    remarks: dict[str, str] = {}
    for line, row in _read_rows(path, result):
        if len(row) != 12 or not _clean(row[0]) or not _clean(row[1]):
            result.issues.append(
                LoadIssue(path.name, line, f"expected 12 columns with id and name, got {len(row)}")
            )
            continue
        entity_id, raw_type = _clean(row[0]), _clean(row[2]).lower()
        if entity_id in by_id:
            result.issues.append(LoadIssue(path.name, line, f"duplicate entity {entity_id}"))
            continue
        entity_type = _TYPES.get(raw_type, "unknown")
        name = _clean(row[1])
        entry = ParsedEntry(
            entity_id=entity_id,
            entity_type=entity_type,
            primary_name=display_person_name(name) if entity_type == "person" else name,
            programs=unique(_clean(row[3]).strip("[]").split("] [")),
        )
        if flag := _clean(row[9]):
            entry.countries.append(flag)
        if call_sign := _clean(row[5]):
            entry.identifiers.append(Identifier("Call Sign", call_sign))
        by_id[entity_id] = entry
        result.add(entry, path.name, line)
        remarks[entity_id] = _clean(row[11])
    return remarks


def _secondary(
    path: Path,
    role: str,
    result: ParseResult,
    by_id: dict[str, ParsedEntry],
    remarks: dict[str, str],
) -> None:
    width = {"alt": 5, "add": 6, "comments": 2}[role]
    for line, row in _read_rows(path, result):
        entry = by_id.get(row[0].strip()) if row else None
        problem = None
        if len(row) != width:
            problem = f"expected {width} columns"
        elif entry is None:
            problem = f"unknown entity {row[0][:40]!r}"
        elif role == "alt":
            problem = value_problem("alias", row[3])
        elif role == "add":
            problem = value_problem("country", _clean(row[4]), COUNTRY_MAX)
        else:
            problem = value_problem("comment", row[1])
        if problem or entry is None:
            result.issues.append(LoadIssue(path.name, line, problem or "unknown entity"))
            continue
        if role == "alt":
            alias = _clean(row[3])
            if alias:
                entry.aliases.append(alias)
        elif role == "add":
            if country := _clean(row[4]):
                entry.countries.append(country)
        else:
            remarks[entry.entity_id] = remarks.get(entry.entity_id, "") + _clean(row[1])


def parse_ofac(paths: Sequence[Path]) -> ParseResult:
    """Parse one OFAC set: a primary file plus any alt, add and comments files (known by name)."""
    roles: dict[str, Path] = {}
    for path in paths:
        role = _file_role(path)
        if role in roles:
            raise ValueError(f"two {role} files given: {roles[role].name} and {path.name}")
        roles[role] = path
    if "primary" not in roles:
        raise ValueError("an OFAC load needs the primary file (sdn.csv or cons_prim.csv)")
    result = ParseResult()
    by_id: dict[str, ParsedEntry] = {}
    remarks = _primary(roles["primary"], result, by_id)
    for role in ("alt", "add", "comments"):
        if role in roles:
            _secondary(roles[role], role, result, by_id, remarks)
    for entry in result.entries:
        # Aliases are in alt.csv; the remarks repeat them ("a.k.a. 'X'") and are parsed as well so
        # a set shipped without alt.csv still carries them. Duplicates are removed below.
        parse_remarks(entry, remarks.get(entry.entity_id, ""))
        if entry.entity_type == "person":
            entry.aliases = [display_person_name(a) for a in entry.aliases]
        entry.aliases = [a for a in unique(entry.aliases) if a != entry.primary_name]
        entry.countries = unique(entry.countries)
    return result
