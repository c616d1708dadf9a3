"""Parsers of the official and custom list formats; malformed rows are reported, never dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.loaders import parse_files
from screening.tests.conftest import DATA, FIXTURE_FILES


def test_ofac_fixture_reports_orphan_alias_and_address_rows_by_line() -> None:
    result = parse_files("ofac_sdn", FIXTURE_FILES)
    assert len(result.entries) == 17
    assert [str(i) for i in result.issues][:2] == [
        "alt.csv:1: unknown entity '10416'",
        "alt.csv:6: unknown entity '11935'",
    ]


def test_ofac_malformed_primary_row_is_skipped_with_its_line(tmp_path: Path) -> None:
    good = (DATA / "ofac_small_fixture" / "sdn.csv").read_text("utf-8").splitlines()
    (tmp_path / "sdn.csv").write_text("\n".join([good[0], '123,"ONLY THREE",x', good[1]]) + "\n")
    result = parse_files("ofac_sdn", [tmp_path / "sdn.csv"])
    assert [e.entity_id for e in result.entries] == ["10278", "11195"]
    (issue,) = result.issues
    assert (issue.file, issue.line) == ("sdn.csv", 2)


def test_ofac_files_are_recognised_by_name_and_need_the_primary() -> None:
    with pytest.raises(ValueError, match="primary file"):
        parse_files("ofac_sdn", [DATA / "ofac_small_fixture" / "alt.csv"])


def test_ofac_2021_set_and_consolidated_list_parse_whole() -> None:
    sdn = parse_files("ofac_sdn", sorted((DATA / "ofac_sdn_2021-07").glob("*.csv")))
    assert (len(sdn.entries), sdn.issues) == (8976, [])
    assert sum(len(e.aliases) for e in sdn.entries) > 11000
    cons = parse_files("ofac_cons", sorted((DATA / "ofac_cons").glob("*.csv")))
    assert (len(cons.entries), cons.issues) == (442, [])


def test_un_xml_parses_individuals_and_entities() -> None:
    result = parse_files("un", sorted((DATA / "un").glob("*.xml")))
    assert result.issues == []
    types = {e.entity_type for e in result.entries}
    assert len(result.entries) == 1003 and types == {"person", "organization"}
    badege = next(e for e in result.entries if e.entity_id == "CDi.001")
    assert badege.primary_name == "ERIC BADEGE"
    assert badege.dates_of_birth == ["1971"]
    assert "Rwanda" in badege.countries


def test_custom_list_reports_bad_rows_and_keeps_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "internal.csv"
    path.write_text(
        "id,name,type,aliases,country,program\n"
        "C-1,Acme Shell Holdings Ltd,organization,Acme Shell;ASH Ltd,CY,internal\n"
        "C-2,,person,,,\n"
        "C-3,Jane Roe,alien,,,\n"
        "C-1,Duplicate,person,,,\n"
        "C-4,John Doe,individual,,GB;US,\n",
        encoding="utf-8",
    )
    result = parse_files("custom", [path])
    assert [(e.entity_id, e.entity_type) for e in result.entries] == [
        ("C-1", "organization"),
        ("C-4", "person"),
    ]
    assert result.entries[0].aliases == ["Acme Shell", "ASH Ltd"]
    assert result.entries[1].countries == ["GB", "US"]
    assert [(i.line, i.message) for i in result.issues] == [
        (3, "id and name are required"),
        (4, "unknown type 'alien'"),
        (5, "duplicate id C-1"),
    ]


def test_custom_list_without_required_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,title\n1,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="name, type"):
        parse_files("custom", [path])


def test_content_hash_changes_with_the_entry() -> None:
    entry = parse_files("ofac_sdn", FIXTURE_FILES).entries[0]
    before = entry.content_hash()
    entry.aliases.append("NEW ALIAS")
    assert entry.content_hash() != before
