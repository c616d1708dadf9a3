# ruff: noqa: RUF001, RUF002 - the lists' own Cyrillic names and quotation marks are what these tests read.
"""Loaders of the EU, UK (FCDO and OFSI), Swiss and Canadian lists, on real format samples."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from screening.loaders import LoadError, parse_files
from screening.loaders.ca import split_aliases
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


# Real ``Aliases`` fields of the Canadian list (cannada.xml, 2025-03) and the names they hold.
SEMA_ALIASES = [
    (  # " or " between names; a language label
        "Юнармия or Всероссийское детско-юношеское военно-патриотическое общественное движение"
        ' "ЮНАРМИЯ"',
        False,
        [
            "Юнармия",
            'Всероссийское детско-юношеское военно-патриотическое общественное движение "ЮНАРМИЯ"',
        ],
    ),
    (
        "Russian: Открытое акционерное общество «Научно-исследовательский институт электронных"
        ' вычислительных машин» or ОАО "НИИЭВМ"',
        False,
        [
            "Открытое акционерное общество «Научно-исследовательский институт электронных"
            " вычислительных машин»",
            'ОАО "НИИЭВМ"',
        ],
    ),
    (  # Cyrillic names joined by an English "and" or a "/"
        'Инжиниринговый центр АО «Мосэлектронпроект» and АО "Мосэп" ',
        False,
        ["Инжиниринговый центр АО «Мосэлектронпроект»", 'АО "Мосэп"'],
    ),
    (
        'Открытое акционерное общество "ВОЛАТАВТО"/ ОАО "ВОЛАТАВТО"',
        False,
        ['Открытое акционерное общество "ВОЛАТАВТО"', 'ОАО "ВОЛАТАВТО"'],
    ),
    (  # commas; "and" between Latin words is part of a name; acronyms are names
        "IRGC, Army of the Guardians of the Islamic Revolution, Iranian Revolutionary Guards, IRG",
        False,
        [
            "IRGC",
            "Army of the Guardians of the Islamic Revolution",
            "Iranian Revolutionary Guards",
            "IRG",
        ],
    ),
    (
        "Myanma Investment and Commercial Bank, Burma Investment and Commercial Bank",
        False,
        ["Myanma Investment and Commercial Bank", "Burma Investment and Commercial Bank"],
    ),
    (  # a comma inside a name: a legal form, a lower-case continuation, a leading single word
        "Море Река Сервис, ООО",
        False,
        ["Море Река Сервис, ООО"],
    ),
    (
        "Министерство культуры, спорта и туризма Военно-Гражданской Администрации Запорожской"
        " области",
        False,
        [
            "Министерство культуры, спорта и туризма Военно-Гражданской Администрации Запорожской"
            " области"
        ],
    ),
    (
        "Radiological Chemical and Biological Defence troops, Войска радиационной, химической и"
        " биологической защиты, РХБЗ",
        False,
        [
            "Radiological Chemical and Biological Defence troops",
            "Войска радиационной, химической и биологической защиты",
            "РХБЗ",
        ],
    ),
    (  # a line break wraps a long name
        "Акционерное общество\n«Радиотехнический институт имени\nакадемика А.Л. Минца»",
        False,
        ["Акционерное общество «Радиотехнический институт имени академика А.Л. Минца»"],
    ),
    (  # a person: labels, commas, "/" between two full names in Cyrillic
        "Mikalay Alyaksandravich Lukashenka, Kolya Lukashenko, Belarusian: Мікалай Аляксандравіч"
        " Лукашэнка; Russian: Николай Александрович Лукашенко, Коля Лукашенко",
        True,
        [
            "Mikalay Alyaksandravich Lukashenka",
            "Kolya Lukashenko",
            "Мікалай Аляксандравіч Лукашэнка",
            "Николай Александрович Лукашенко",
            "Коля Лукашенко",
        ],
    ),
    (
        "Сергей Леонидович ТЕЛЬНЫХ / Сергiй Леонiдович ТЕЛЬНИХ",
        True,
        ["Сергей Леонидович ТЕЛЬНЫХ", "Сергiй Леонiдович ТЕЛЬНИХ"],
    ),
    (
        "Елена Петровна Тимченко or Елена Ермакова",
        True,
        ["Елена Петровна Тимченко", "Елена Ермакова"],
    ),
    (  # a single word is no name of its own: it goes with the name next to it
        "Alexander, Alexandr Valerievich Kalinin",
        True,
        ["Alexander, Alexandr Valerievich Kalinin"],
    ),
    (
        "LAT, LLC Laser Devices and Technologies, Nuclear",
        False,
        ["LAT", "LLC Laser Devices and Technologies, Nuclear"],
    ),
    (  # a person's "or" between spellings of one word is not two names
        "Alexander, or Alexandr Valerievich Kalinin",
        True,
        ["Alexander, or Alexandr Valerievich Kalinin"],
    ),
    (
        "Александр Евгеньевич Коньков; Aleksandr Evgenyevich or Evgenievich Kon’kov",
        True,
        ["Александр Евгеньевич Коньков", "Aleksandr Evgenyevich or Evgenievich Kon’kov"],
    ),
]


@pytest.mark.parametrize(("field", "person", "names"), SEMA_ALIASES)
def test_sema_reads_each_name_of_its_free_text_alias_field(
    field: str, person: bool, names: list[str]
) -> None:
    """The field was split on ``;`` only: "Юнармия or Всероссийское ..." was one alias that no
    query met, and "МЗКЦ" was only inside "ААТ «Мінскі завод колавых цягачоў» / ААТ «МЗКЦ»"."""
    assert split_aliases(field, person=person) == names


def test_a_name_of_a_split_sema_alias_field_screens_to_its_entry() -> None:
    from screening.matching.index import ScreeningIndex, build_qualifiers
    from screening.tests.conftest import entities_from

    index = ScreeningIndex(entities_from("ca_sema", [SEMA]))
    wanted = build_qualifiers(entity_type="organization", country=None, identifiers=())
    hits = index.search("ААТ МЗКЦ", qualifiers=wanted, floor=0.85, limit=3)
    assert [h.entity.primary_name for h in hits][:1] == [
        "MINSK WHEEL TRACTOR PLANT JOINT-STOCK COMPANY (VOLAT)"
    ]


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
