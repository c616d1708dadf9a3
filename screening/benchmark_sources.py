"""Read list entries (primary name and its own aliases) from the official sample files.

Used once, by ``manage.py bench_screen_build``, to freeze the real-pair benchmark
(``screening/data/bench/real_pairs.csv``); the product never imports it. Each reader keeps only the
aliases the publisher presents as names of the same party (OFAC "a.k.a." but not "f.k.a."/"n.k.a.",
UN and FCDO good-quality aliases, EU strong aliases, SECO spelling variants and aliases, UK OFSI
name variations, AKAs and its "Name Non-Latin Script" column, Canada's aliases). Vessels and
aircraft are left out: the matcher's quality is reported for organisations and people.
"""

from __future__ import annotations

import csv
import re

# The stdlib parser on purpose, as in screening/loaders/un.py: Python 3.11's expat refuses the
# entity-expansion tricks and never fetches external DTDs; these are the shipped sample files.
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from screening.matching.normalize import display_person_name


@dataclass(slots=True)
class SourceEntity:
    """One list entry as the benchmark builder sees it."""

    source: str
    entity_id: str
    entity_type: str  # person | organization
    primary: str
    aliases: list[str] = field(default_factory=list)


def _clean(value: str | None) -> str:
    return " ".join((value or "").replace("-0-", "").split()).strip(" ,;")


def read_ofac(prim: Path, alt: Path, source: str) -> list[SourceEntity]:
    """OFAC legacy CSV: primary file plus alt.csv, "a.k.a." aliases only."""
    entities: dict[str, SourceEntity] = {}
    with prim.open(encoding="latin-1", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 3 or not row[0].strip().isdigit():
                continue
            kind = _clean(row[2]).lower()
            if kind in ("vessel", "aircraft"):
                continue
            person = kind == "individual"
            name = _clean(row[1])
            entities[row[0].strip()] = SourceEntity(
                source,
                row[0].strip(),
                "person" if person else "organization",
                display_person_name(name) if person else name,
            )
    with alt.open(encoding="latin-1", newline="") as handle:
        for row in csv.reader(handle):
            entity = entities.get(row[0].strip()) if row else None
            if entity is None or len(row) < 4 or _clean(row[2]).lower() != "aka":
                continue
            alias = _clean(row[3])
            if entity.entity_type == "person":
                alias = display_person_name(alias)
            entity.aliases.append(alias)
    return list(entities.values())


def _un_text(node: ET.Element, tag: str) -> str:
    child = node.find(tag)
    return _clean(child.text if child is not None else "")


def read_un(path: Path) -> list[SourceEntity]:
    """UN consolidated XML: good-quality and "a.k.a." aliases, and the name in original script."""
    root = ET.parse(path).getroot()  # noqa: S314 - see the import comment
    out: list[SourceEntity] = []
    for tag, person in (("INDIVIDUAL", True), ("ENTITY", False)):
        for node in root.iter(tag):
            parts = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
            name = " ".join(p for p in (_un_text(node, t) for t in parts) if p)
            entity = SourceEntity(
                "un",
                _un_text(node, "REFERENCE_NUMBER"),
                "person" if person else "organization",
                name,
            )
            for alias in node.findall(f"{tag}_ALIAS"):
                if _un_text(alias, "QUALITY").lower() in ("low", "f.k.a."):
                    continue
                entity.aliases.append(_un_text(alias, "ALIAS_NAME"))
            entity.aliases.append(_un_text(node, "NAME_ORIGINAL_SCRIPT"))
            out.append(entity)
    return out


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    """Rows of the first sheet of an .xlsx file (shared strings and inline values)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as book:
        strings = [
            "".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t"))
            for si in ET.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", ns)  # noqa: S314 - see the import comment
        ]
        sheet = ET.fromstring(book.read("xl/worksheets/sheet1.xml"))  # noqa: S314 - see the import comment
    for row in sheet.iter(f"{{{ns['m']}}}row"):
        cells: dict[int, str] = {}
        for cell in row.findall("m:c", ns):
            ref = re.match(r"[A-Z]+", cell.get("r", "A"))
            col = 0
            for char in ref.group(0) if ref else "A":
                col = col * 26 + ord(char) - 64
            value = cell.find("m:v", ns)
            text = value.text if value is not None and value.text else ""
            cells[col - 1] = strings[int(text)] if cell.get("t") == "s" and text else text
        yield [cells.get(i, "") for i in range(max(cells, default=-1) + 1)]


def read_uk_ofsi(path: Path) -> list[SourceEntity]:
    """OFSI ConList (xlsx edition): one row per name; group rows by Group ID."""
    rows = _xlsx_rows(path)
    next(rows)  # "Last Updated"
    header = next(rows)
    col = {name.strip(): i for i, name in enumerate(header)}
    groups: dict[str, SourceEntity] = {}
    for row in rows:
        row = row + [""] * (len(header) - len(row))
        kind = row[col["Group Type"]].strip()
        if kind not in ("Individual", "Entity"):
            continue
        person = kind == "Individual"
        given = [row[col[f"Name {i}"]] for i in range(1, 6)]
        name = _clean(" ".join([*given, row[col["Name 6"]]]))
        gid = row[col["Group ID"]].strip()
        entity = groups.setdefault(
            gid, SourceEntity("uk_ofsi", gid, "person" if person else "organization", "")
        )
        if row[col["Alias Type"]].strip().lower() == "primary name" and not entity.primary:
            entity.primary = name
        else:
            entity.aliases.append(name)
        entity.aliases.append(_clean(row[col["Name Non-Latin Script"]]))
    return [e for e in groups.values() if e.primary]


def read_canada(path: Path) -> list[SourceEntity]:
    """Canada SEMA XML: persons (GivenName LastName) and entities; ships left out.

    A parenthesised English translation after an entity name ("Novaya Neftenaya Kompaniya (New Oil
    Company)") is a translation, not a spelling of the name: it is dropped. Alias lists are comma
    separated, some prefixed with their language ("Russian: ...").
    """
    out: list[SourceEntity] = []
    for position, record in enumerate(ET.parse(path).getroot().iter("record"), start=1):  # noqa: S314 - see the import comment
        text = {child.tag: _clean(child.text) for child in record}
        if text.get("ShipIMONumber") or text.get("TitleOrShip"):
            continue
        entity_name = re.sub(r"\s*\(.*?\)", "", text.get("EntityOrShip", "")).strip()
        person = not entity_name
        name = _clean(f"{text.get('GivenName', '')} {text.get('LastName', '')}")
        entity = SourceEntity(
            "canada",
            f"{text.get('Schedule', '')}/{text.get('Item', '')}/{position}",
            "person" if person else "organization",
            name if person else entity_name,
        )
        for alias in re.split(r"[,;]", text.get("Aliases", "")):
            alias = re.sub(r"^\s*[A-Z][a-z]+:\s*", "", alias)
            entity.aliases.append(_clean(re.sub(r"\s*\(.*?\)", "", alias)))
        if entity.primary:
            out.append(entity)
    return out


def read_eu_fsf(path: Path) -> list[SourceEntity]:
    """EU FSF XML 1.1: the first name alias is the primary, the other strong ones aliases."""
    ns = "{http://eu.europa.ec/fpi/fsd/export}"
    out: list[SourceEntity] = []
    for node in ET.parse(path).getroot().iter(f"{ns}sanctionEntity"):  # noqa: S314 - see the import comment
        subject = node.find(f"{ns}subjectType")
        code = subject.get("code", "") if subject is not None else ""
        if code not in ("person", "enterprise"):
            continue
        names = [
            _clean(a.get("wholeName"))
            for a in node.findall(f"{ns}nameAlias")
            if a.get("strong", "true") == "true"
        ]
        names = [n for n in names if n]
        if names:
            entity_type = "person" if code == "person" else "organization"
            ref = node.get("euReferenceNumber") or node.get("logicalId") or ""
            out.append(SourceEntity("eu_fsf", ref, entity_type, names[0], names[1:]))
    return out


def _fcdo_name(name: ET.Element) -> str:
    return _clean(" ".join(_clean(name.findtext(f"Name{i}")) for i in range(1, 7)))


def read_uk_fcdo(path: Path) -> list[SourceEntity]:
    """FCDO UK Sanctions List XML: primary name, good-quality aliases, non-Latin names."""
    out: list[SourceEntity] = []
    for node in ET.parse(path).getroot().iter("Designation"):  # noqa: S314 - see the import comment
        kind = _clean(node.findtext("IndividualEntityShip"))
        if kind not in ("Individual", "Entity"):
            continue
        primary, aliases = "", []
        for name in node.iter("Name"):
            text = _fcdo_name(name)
            if _clean(name.findtext("NameType")) == "Primary Name":
                primary = primary or text
            elif "Low" not in _clean(name.findtext("AliasStrength")):
                aliases.append(text)
        aliases += [_clean(n.text) for n in node.iter("NameNonLatinScript")]
        entity_type = "person" if kind == "Individual" else "organization"
        if primary:
            out.append(
                SourceEntity("uk_fcdo", _clean(node.findtext("UniqueID")), entity_type, primary)
            )
            out[-1].aliases = aliases
    return out


_SECO_ORDER = {"given-name": 0, "father-name": 1, "further-given-name": 1, "family-name": 2}


def _seco_names(name: ET.Element) -> list[str]:
    """The name as written, then one name per (language, script) of its spelling variants."""
    parts = sorted(
        name.findall("name-part"), key=lambda p: _SECO_ORDER.get(p.get("name-part-type", ""), 3)
    )
    variants: dict[tuple[str, str], list[str]] = defaultdict(list)
    for part in parts:
        for variant in part.findall("spelling-variant"):
            variants[(variant.get("lang", ""), variant.get("script", ""))].append(
                _clean(variant.text)
            )
    written = _clean(" ".join(_clean(p.findtext("value")) for p in parts))
    return [written, *(_clean(" ".join(v)) for v in variants.values())]


def read_seco(path: Path) -> list[SourceEntity]:
    """SECO XML: the main identity's primary name, its spelling variants and its aliases."""
    out: list[SourceEntity] = []
    for target in ET.parse(path).getroot().findall("target"):  # noqa: S314 - see the import comment
        for tag, entity_type in (("individual", "person"), ("entity", "organization")):
            subject = target.find(tag)
            if subject is None:
                continue
            identity = subject.find("identity")
            if identity is None:
                continue
            names: list[str] = []
            for name in identity.findall("name"):
                if name.get("name-type") in ("primary-name", "alias"):
                    names.extend(_seco_names(name))
            if names:
                ssid = target.get("ssid", "")
                out.append(SourceEntity("seco", ssid, entity_type, names[0], names[1:]))
    return out


def read_all(shared: Path) -> list[SourceEntity]:
    """Every reader over the shared sample files."""
    sanctions = shared / "sanctions"
    sdn = sanctions / "ofac_sdn_2021-07_watchman_bench"
    cons = sanctions / "ofac_consolidated_nonsdn_watchman"
    return [
        *read_ofac(sdn / "sdn.csv", sdn / "alt.csv", "ofac_sdn"),
        *read_ofac(cons / "cons_prim.csv", cons / "cons_alt.csv", "ofac_cons"),
        *read_un(sanctions / "un" / "un_sc_consolidated_2026-02-27.xml"),
        *read_uk_ofsi(sanctions / "uk_ofsi_conlist_xlsx_2025-04-10" / "UK_Sanctions_List.xlsx"),
        *read_canada(sanctions / "ca_sema_xml_2025-03" / "cannada.xml"),
        *read_eu_fsf(sanctions / "eu_fsf_xml_1.1_2026-08-05_excerpt" / "fsf.xml"),
        *read_uk_fcdo(
            sanctions / "uk_fcdo_sanctions_list_xml_2026-09-07_excerpt" / "uk-sanctions-list.xml"
        ),
        *read_seco(sanctions / "ch_seco_xml_2026-08-15_excerpt" / "ch_sample.xml"),
    ]
