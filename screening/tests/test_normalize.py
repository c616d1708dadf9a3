from __future__ import annotations

import pytest

from screening.matching.countries import country_key
from screening.matching.normalize import (
    display_person_name,
    name_parts,
    normalise_identifier,
    skeleton,
    tokenize,
)
from screening.matching.vocabulary import split_legal_forms, strip_person_titles


@pytest.mark.parametrize(
    ("raw", "tokens"),
    [
        ("AL-SHANTI, Jamileh", ("al", "shanti", "jamileh")),
        ("Müller & Söhne GmbH", ("muller", "and", "sohne", "gmbh")),
        ("Муаммар Каддафи", ("muammar", "kaddafi")),
        ("S.R.O.", ("sro",)),
        ("D'S SUPERMARKET  COMPANY", ("ds", "supermarket", "company")),
        (
            "\uff21\uff22\uff23 \uff34\uff52\uff41\uff44\uff49\uff4e\uff47",
            ("abc", "trading"),
        ),  # full width
        ("张林", ("zhang", "lin")),
    ],
)
def test_tokenize_folds_scripts_accents_case_and_punctuation(
    raw: str, tokens: tuple[str, ...]
) -> None:
    assert tokenize(raw) == tokens


def test_arabic_script_is_transliterated() -> None:
    assert all(t.isascii() and t.isalnum() for t in tokenize("محمد علي"))
    assert len(tokenize("محمد علي")) == 2


def test_skeleton_groups_transliteration_variants() -> None:
    assert skeleton("mohammed") == skeleton("muhammad") == skeleton("mohamed")
    assert skeleton("hussein") == skeleton("husayn")
    assert skeleton("aleksandr") == skeleton("alexander")
    assert skeleton("hussein") != skeleton("mohammed")


def test_hyphenated_pieces_are_one_name_part() -> None:
    assert name_parts("P'il-Hun KANG") == (0, 0, 1)


def test_ofac_person_layout_is_turned_around() -> None:
    assert display_person_name("LOGAN MOREY, Elvis Angus") == "Elvis Angus LOGAN MOREY"
    assert display_person_name("NO COMMA HERE") == "NO COMMA HERE"


def test_identifiers_compare_on_letters_and_digits() -> None:
    assert normalise_identifier("52-2083095") == normalise_identifier("522083095")


@pytest.mark.parametrize(
    ("name", "core", "has_form"),
    [
        ("BELLETECH CORP", ("belletech",), True),
        ("ANGLO-CARIBBEAN CO., LTD.", ("anglo", "caribbean"), True),
        ("OOO ROMASHKA", ("romashka",), True),
        ("SUEX OTC, S.R.O.", ("suex", "otc"), True),
        ("FINROST LILMITED", ("finrost",), True),  # a misspelt long legal form is still one
        ("2RIVERS DMCC", ("2rivers",), True),  # a Dubai free-zone company (a real OFAC listing)
        ("LIMITED", ("limited",), False),  # never strip a name down to nothing
        ("BANCO NACIONAL DE CUBA", ("banco", "nacional", "de", "cuba"), False),
    ],
)
def test_legal_forms_are_split_from_the_ends(
    name: str, core: tuple[str, ...], has_form: bool
) -> None:
    stripped, forms = split_legal_forms(tokenize(name))
    assert stripped == core
    assert bool(forms) is has_form


def test_person_titles_are_dropped() -> None:
    assert strip_person_titles(tokenize("Dr. Abd al-Latif SALEH")) == (
        "abd",
        "al",
        "latif",
        "saleh",
    )


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("Iran", "ir"),
        ("IR", "ir"),
        ("IRN", "ir"),
        ("Russia", "ru"),
        ("Korea, North", "kp"),
        (None, None),
    ],
)
def test_country_names_and_codes_share_one_key(value: str | None, key: str | None) -> None:
    assert country_key(value) == key
