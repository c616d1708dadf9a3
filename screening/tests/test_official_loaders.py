"""Loaders of the EU, UK (FCDO and OFSI), Swiss and Canadian lists, on real format samples."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from screening.loaders import LoadError, parse_files
from screening.tests.conftest import DATA

SAMPLES = DATA / "samples"
EU = SAMPLES / "eu_fsf_2026-08-05_excerpt.xml"
FCDO = SAMPLES / "uk_fcdo_2026-09-07_excerpt.xml"
OFSI = SAMPLES / "uk_ofsi_conlist_2025-04-10_excerpt.csv"
SECO = SAMPLES / "ch_seco_2026-08-15_excerpt.xml"
SEMA = SAMPLES / "ca_sema_2025-03_excerpt.xml"


def _by_id(source: str, path: Path) -> dict[str, object]:
    return {e.entity_id: e for e in parse_files(source, [path]).entries}


def test_eu_fsf_reads_every_entity_with_names_ids_and_generation_date() -> None:
    result = parse_files("eu_fsf", [EU])
    assert (len(result.entries), result.issues) == (17, [])
    assert result.published_at == datetime(2026, 8, 5, 14, 47, 4, 449000, tzinfo=UTC)
    saddam = next(e for e in result.entries if e.entity_id == "EU.27.28")
    assert saddam.entity_type == "person"
    assert saddam.primary_name == "Saddam Hussein Al-Tikriti"
    assert "Abou Ali" in saddam.aliases
    assert saddam.countries == ["IQ"] and saddam.dates_of_birth == ["1937-04-28"]
    assert saddam.programs == ["IRQ"]
    congomet = next(e for e in result.entries if e.entity_id == "EU.3672.18")
    assert (congomet.entity_type, congomet.primary_name) == (
        "organization",
        "Congomet Trading House",
    )
    passports = [i for e in result.entries for i in e.identifiers if i.value == "F654645"]
    assert passports and passports[0].country == "SA"


def test_uk_fcdo_reads_designations_non_latin_names_and_ship_imo() -> None:
    result = parse_files("uk_fcdo", [FCDO])
    assert (len(result.entries), result.issues) == (21, [])
    assert result.published_at == datetime(2026, 9, 7, tzinfo=UTC)
    entity = next(e for e in result.entries if e.entity_id == "AFG0001")
    assert entity.primary_name == "HAJI KHAIRULLAH HAJI SATTAR MONEY EXCHANGE"
    assert "Haji Alim Hawala" in entity.aliases
    assert "حاجی خيرالله و حاجی ستار صرافی" in entity.aliases
    assert entity.programs == ["The Afghanistan (Sanctions) (EU Exit) Regulations 2020"]
    ships = [e for e in result.entries if e.entity_type == "vessel"]
    assert len(ships) == 2
    assert any(i.type == "IMO" and i.value == "9562233" for s in ships for i in s.identifiers)
    person = next(e for e in result.entries if e.primary_name == "MOHAMMAD HASSAN AKHUND")
    assert person.entity_type == "person" and "dd/mm/1945" in person.dates_of_birth


def test_uk_ofsi_groups_rows_by_group_id_and_reads_last_updated() -> None:
    result = parse_files("uk_ofsi", [OFSI])
    assert (len(result.entries), result.issues) == (27, [])
    assert result.published_at == datetime(2025, 4, 10, tzinfo=UTC)
    types = sorted({e.entity_type for e in result.entries})
    assert types == ["organization", "person", "vessel"]
    mithoo = next(e for e in result.entries if e.entity_id == "15672")
    assert mithoo.primary_name == "Mian Abdul HAQ"  # the "Primary name" row, given names first
    assert "Mian MITHU" in mithoo.aliases
    assert "Global Human Rights" in mithoo.programs


def test_uk_ofsi_reads_the_pre_2022_layout_with_its_windows_1252_lines() -> None:
    path = SAMPLES / "uk_ofsi_conlist_legacy_2020-02_excerpt.csv"
    result = parse_files("uk_ofsi", [path])
    assert len(result.entries) == 41 and result.issues == []
    assert result.warnings and "cp1252" in result.warnings[0].message


def test_uk_ofsi_refuses_a_csv_that_is_not_the_conlist(tmp_path: Path) -> None:
    path = tmp_path / "ConList.csv"
    path.write_text("id,name,type\n1,X,entity\n")
    with pytest.raises(LoadError, match="not an OFSI ConList"):
        parse_files("uk_ofsi", [path])


def test_seco_leaves_out_de_listed_targets_and_keeps_spelling_variants() -> None:
    result = parse_files("ch_seco", [SECO])
    assert result.published_at == datetime(2026, 8, 15, tzinfo=UTC)
    ids = {e.entity_id for e in result.entries}
    assert ids == {"44348", "85396", "34461", "52941"}  # 5142, 5816, 5374 were de-listed
    maria = next(e for e in result.entries if e.entity_id == "52941")
    assert maria.entity_type == "person"
    assert any("ВОРОНЦОВА" in a for a in maria.aliases)
    assert maria.countries == ["RU"]
    vessel = next(e for e in result.entries if e.entity_id == "34461")
    assert (vessel.entity_type, vessel.primary_name) == ("vessel", "Hui Chon")


def test_sema_reads_persons_entities_and_ships_with_a_stable_record_id() -> None:
    result = parse_files("ca_sema", [SEMA])
    assert (len(result.entries), result.issues) == (45, [])
    assert result.published_at == datetime(2025, 2, 21, tzinfo=UTC)  # newest DateOfListing
    person = result.entries[0]
    assert (person.entity_id, person.primary_name) == (
        "Belarus / Bélarus|1, Part 1|1",
        "Khazalbek Bakhtibekovich Atabekov",
    )
    assert person.countries == ["Belarus"]
    ships = [e for e in result.entries if e.entity_type == "vessel"]
    assert len(ships) == 5 and ships[0].identifiers[0].type == "IMO"
    assert any(e.aliases for e in result.entries if e.entity_type == "organization")


def test_sema_reads_the_bilingual_tags_of_newer_files(tmp_path: Path) -> None:
    path = tmp_path / "sema.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><data-set><record>'
        "<Country-Pays>Russia / Russie</Country-Pays><Entity-Entite>Example JSC</Entity-Entite>"
        "<Schedule-Annexe>1, Part 2</Schedule-Annexe><Item-Article>7</Item-Article>"
        "<DateOfListing-DateInscription>2025-06-01</DateOfListing-DateInscription>"
        "</record></data-set>",
        encoding="utf-8",
    )
    # "Entity-Entite" is not a known tag: the record has no name and is reported, not dropped.
    result = parse_files("ca_sema", [path])
    assert [i.message for i in result.issues] == ["record without a name or item"]
    path.write_text(
        path.read_text("utf-8").replace("Entity-Entite", "EntityOrShip-EntiteOuNavire"),
        encoding="utf-8",
    )
    (entry,) = parse_files("ca_sema", [path]).entries
    assert (entry.entity_type, entry.primary_name) == ("organization", "Example JSC")


@pytest.mark.parametrize(
    ("source", "path"),
    [("eu_fsf", EU), ("uk_fcdo", FCDO), ("ch_seco", SECO), ("ca_sema", SEMA), ("uk_ofsi", OFSI)],
)
def test_truncated_empty_and_html_files_are_load_errors(
    source: str, path: Path, tmp_path: Path
) -> None:
    data = path.read_bytes()
    bad = {
        "truncated": data[: len(data) // 2],
        "empty": b"",
        "html": b"<!DOCTYPE html><html><body><h1>503 Service Unavailable</h1></body></html>",
    }
    for kind, body in bad.items():
        target = tmp_path / f"{kind}-{path.name}"
        target.write_bytes(body)
        if source == "uk_ofsi" and kind == "truncated":
            # A CSV cut at a row boundary is still a CSV: the shrink guard catches it (fetchers).
            assert len(parse_files(source, [target]).entries) < 27
            continue
        with pytest.raises(LoadError):
            parse_files(source, [target])
