"""Parsers of the official and custom list formats; malformed rows are reported, never dropped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from screening.loaders import LoadError, parse_files
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


def test_column_limits_mirror_the_model() -> None:
    from django.contrib.postgres.fields import ArrayField
    from django.db.models import CharField

    from screening.loaders import base
    from screening.models import WatchList, WatchListEntry

    def limit(model: Any, name: str) -> int | None:
        field = model._meta.get_field(name)
        if isinstance(field, ArrayField):
            field = field.base_field
        assert isinstance(field, CharField)
        return field.max_length

    assert limit(WatchListEntry, "entity_id") == base.ENTITY_ID_MAX
    assert limit(WatchListEntry, "primary_name") == base.PRIMARY_NAME_MAX
    assert limit(WatchListEntry, "programs") == base.PROGRAM_MAX
    assert limit(WatchListEntry, "countries") == base.COUNTRY_MAX
    assert limit(WatchListEntry, "dates_of_birth") == base.DATE_OF_BIRTH_MAX
    assert limit(WatchList, "name") == 100


def test_custom_list_values_the_columns_cannot_hold_are_skipped_by_line(tmp_path: Path) -> None:
    path = tmp_path / "limits.csv"
    rows = [
        "id,name,type,aliases,country,program",
        f"{'X' * 125},Long Id,organization,,,",
        f"2,{'N' * 1001},organization,,,",
        f"3,Long Country,organization,,{'C' * 201},",
        f"4,Long Program,organization,,,{'P' * 201}",
        "5,Nul\x00Name,organization,,,",
        "6,Nul Alias,organization,A\x00B,,",
        f"{'Y' * 122},Fits,organization,,,",
        "8,Good Co,organization,,,",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = parse_files("custom", [path])
    result.drop_invalid(id_prefix="probe:")
    assert [e.entity_id for e in result.entries] == ["Y" * 122, "8"]
    assert [(i.file, i.line) for i in result.issues] == [("limits.csv", n) for n in range(2, 8)]
    messages = [i.message for i in result.issues]
    assert "the limit is 122 with the list prefix 'probe:'" in messages[0]
    assert "name is 1001 characters, the limit is 1000" in messages[1]
    assert "country is 201 characters" in messages[2]
    assert "program is 201 characters" in messages[3]
    assert messages[4].endswith("name contains a NUL character")
    assert messages[5].endswith("alias contains a NUL character")


def test_csv_field_over_the_csv_limit_skips_that_row_only(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text(
        f"id,name,type,aliases\n1,Big Co,organization,{'B' * 200_000}\n2,Good Co,organization,\n",
        encoding="utf-8",
    )
    result = parse_files("custom", [path])
    assert [e.entity_id for e in result.entries] == ["2"]
    (issue,) = result.issues
    assert (issue.line, issue.message) == (
        2,
        "unreadable row: field larger than field limit (131072)",
    )


def test_custom_list_that_is_not_utf8_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,name,type\n1,Good,person\n2,Société,organization\n".encode("latin-1"))
    with pytest.raises(LoadError, match=r"^latin1\.csv:3: not valid UTF-8 \(byte 0xe9\)"):
        parse_files("custom", [path])


@pytest.mark.parametrize("content", [b"", b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>"])
def test_un_file_not_well_formed_is_a_load_error_naming_it(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "un.xml"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=r"^un\.xml:1: not well-formed XML"):
        parse_files("un", [path])


def _ofac_row(ent: str, name: str, remarks: str = "-0-") -> str:
    return f'{ent},"{name}",-0-,[CUBA],-0-,-0-,-0-,-0-,-0-,-0-,-0-,"{remarks}"\r\n'


def test_ofac_utf8_file_is_never_re_decoded(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(_ofac_row("1", "BANCO SOCIÉTÉ GÉNÉRALE").encode("utf-8"))
    result = parse_files("ofac_sdn", [path])
    assert result.entries[0].primary_name == "BANCO SOCIÉTÉ GÉNÉRALE"
    assert result.warnings == [] and result.issues == []


def test_ofac_lines_not_utf8_fall_back_to_cp1252_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(
        _ofac_row("1", "BANCO SOCIÉTÉ GÉNÉRALE").encode("utf-8")
        + _ofac_row("2", "CAFÉ ZÜRICH").encode("cp1252")
    )
    result = parse_files("ofac_sdn", [path])
    # The UTF-8 line keeps its accents (no mojibake), the cp1252 line is decoded as cp1252.
    assert [e.primary_name for e in result.entries] == ["BANCO SOCIÉTÉ GÉNÉRALE", "CAFÉ ZÜRICH"]
    (warning,) = result.warnings
    assert (warning.file, warning.line) == ("sdn.csv", 2)
    assert "not valid UTF-8: 1 line(s) decoded as cp1252 (lines 2)" in warning.message


def test_ofac_bytes_undefined_in_cp1252_are_a_load_error(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(_ofac_row("1", "OK").encode() + _ofac_row("2", "BAD \x81").encode("latin-1"))
    with pytest.raises(LoadError, match=r"^sdn\.csv:2: neither UTF-8 nor cp1252 \(byte 0x81\)"):
        parse_files("ofac_sdn", [path])


def test_ofac_bad_secondary_row_is_skipped_by_its_line(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_text(_ofac_row("1", "ACME TRADING"), encoding="utf-8")
    (tmp_path / "add.csv").write_text(
        f'1,10,-0-,-0-,"{"C" * 201}",-0-\n1,11,-0-,-0-,Cuba,-0-\n', encoding="utf-8"
    )
    (tmp_path / "alt.csv").write_text('1,20,aka,"BAD\x00ALIAS",-0-\n', encoding="utf-8")
    result = parse_files("ofac_sdn", sorted(tmp_path.glob("*.csv")))
    assert result.entries[0].countries == ["Cuba"] and result.entries[0].aliases == []
    assert [str(i) for i in result.issues] == [
        "alt.csv:1: alias contains a NUL character",
        "add.csv:1: country is 201 characters, the limit is 200",
    ]


def test_ofac_remarks_value_too_long_skips_the_entry_at_its_primary_line(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_text(
        _ofac_row("1", "DOE, John", f"DOB {'1' * 150}.") + _ofac_row("2", "ACME"), encoding="utf-8"
    )
    result = parse_files("ofac_sdn", [path])
    result.drop_invalid()
    assert [e.entity_id for e in result.entries] == ["2"]
    assert [str(i) for i in result.issues] == [
        "sdn.csv:1: entity '1': date of birth is 150 characters, the limit is 100"
    ]
