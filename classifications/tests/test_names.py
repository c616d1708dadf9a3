"""How a business known only by its name is read: name idioms and title words (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifications.engine import sources
from classifications.engine.names import NameIdiom, NameReader, load_idioms, title_stems
from classifications.engine.text import tokens
from classifications.services import ClassificationResult, classify_business

IDIOMS = load_idioms()


def _notes(result: ClassificationResult) -> str:
    return " ".join(result.evidence.get("notes", []))


def _code_texts(idiom: NameIdiom) -> list[str]:
    """The official wording of the idiom's code: titles and index phrases (for a SIC code, also
    those of its NAICS partners)."""
    naics = {idiom.code} if idiom.system == "naics" else set()
    texts: list[str] = []
    if idiom.system == "sic":
        sic = sources.sic_codes()[idiom.code]
        texts += [sic.title, sic.sec_title]
        naics |= {n for s, n in sources.sic_to_naics2022() if s == idiom.code}
    texts += [sources.naics_codes()[c].title for c in naics]
    texts += [phrase for c, phrase in sources.naics_index_phrases() if c in naics]
    return texts


@pytest.mark.parametrize("idiom", IDIOMS, ids=lambda i: i.words[0])
def test_each_idiom_reads_as_words_of_its_codes_official_wording(idiom: NameIdiom) -> None:
    assert idiom.system in {"naics", "sic"}
    official = {t.stem for text in _code_texts(idiom) for t in tokens(text)}
    assert {t.stem for t in tokens(idiom.reads_as)} <= official
    assert idiom.why


@pytest.mark.parametrize(
    ("idiom", "spelling"),
    [(i, w) for i in IDIOMS for w in i.words],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_a_name_with_an_idiom_classifies_as_its_code(idiom: NameIdiom, spelling: str) -> None:
    name = f"Northgate {spelling.title()} Inc."
    result = classify_business(name=name)
    assert result.codes(idiom.system)[0].code == idiom.code, name
    assert f'read as "{idiom.reads_as}"' in _notes(result)
    assert not result.unknown


@pytest.mark.parametrize(
    ("name", "naics", "sic"),
    [
        ("First Valley Bancorp", "5221", "602"),
        ("Horizon Acquisition Corp II", "525990", "6770"),
        ("Apex Therapeutics, Inc.", "325412", "2834"),
        ("Pacific Airlines Holdings", "481111", "4512"),
        ("Northgate Energy Corp", "211120", "1311"),
        ("Red Rock Resources Inc.", "211120", "1311"),
        ("Apex Communications Inc", "517111", "481"),
        ("Summit Payments Inc", "522320", "6099"),
        ("Valley Water Company", "221310", "4941"),
        ("Bluewater Maritime Corp", "483111", "441"),
    ],
)
def test_us_listed_style_names_get_their_industry(name: str, naics: str, sic: str) -> None:
    """Before the idioms: irradiation apparatus, first-aid schools, land subdivision and airline
    reservation offices."""
    result = classify_business(name=name)
    assert result.naics[0].code.startswith(naics)
    assert result.sic[0].code.startswith(sic)


@pytest.mark.parametrize(
    ("name", "not_read_as", "not_naics"),
    [
        ("Sunrise Care Homes Ltd", "home builders", "236"),
        ("Oak Tree Nursing Homes Limited", "home builders", "236"),
        ("Northgate Food Bank", "commercial bank", "5221"),
        ("Apex Electric Motors Ltd", "car dealers", "441"),
        ("Northgate Waste Management Ltd", "residential property managers", "5313"),
        ("Northgate Events Management Ltd", "residential property managers", "5313"),
        ("Northgate Cyber Security Ltd", "security guards", "5616"),
        ("Northgate Human Resources Ltd", "crude petroleum production", "211"),
        ("Northgate Solar Energy Ltd", "crude petroleum production", "211"),
        ("Monster Energy Drinks Ltd", "crude petroleum production", "211"),
        ("Energy Fitness Ltd", "crude petroleum production", "211"),
        ("Northgate Energy Assessments Ltd", "crude petroleum production", "211"),
        ("Northgate Marketing Communications Ltd", "wired telecommunications carriers", "517"),
        ("Northgate Irrigation Systems Ltd", "computer systems design services", "5415"),
        ("Northgate Alcoholic Beverages Ltd", "soft drink manufacturing", "312111"),
    ],
)
def test_an_idiom_word_after_its_exceptions_is_read_as_written(
    name: str, not_read_as: str, not_naics: str
) -> None:
    result = classify_business(name=name)
    assert not_read_as not in _notes(result)
    assert not result.naics or not result.naics[0].code.startswith(not_naics)


@pytest.mark.parametrize(
    ("name", "naics"),
    [
        ("The Larches Management Company Limited", "531311"),
        ('"Lynwood House" (Management) No. 1 Limited', "531311"),
        ("Somerset Court Residents' Association Limited", "531311"),
        ("Northgate Lettings Ltd", "531210"),
        ("Diamond Security Ltd", "561612"),
    ],
)
def test_british_registry_names_get_their_industry(name: str, naics: str) -> None:
    """The shapes of the UK registry sample's dev half (names-dev): flat management companies
    were farm management services, "Security" a securities dealer, "Lettings" nothing."""
    assert classify_business(name=name).naics[0].code == naics


def test_idioms_apply_to_names_alone_not_next_to_a_description() -> None:
    result = classify_business(
        name="Apex Therapeutics", description="Physical therapy clinic for sports injuries"
    )
    assert "read as" not in _notes(result)
    assert result.naics[0].code.startswith("6213")


def test_words_no_title_uses_are_dropped_when_a_title_word_remains() -> None:
    reader = NameReader([], title_stems(["Commercial Banking", "Offices of Real Estate Agents"]))
    assert reader.read("Northgate Valley Bank & Trust").text == "bank"
    # nothing of the name is in a title: the name is read whole, as written
    assert reader.read("Zyxwv Holdings Ltd").text == "Zyxwv Holdings Ltd"


def test_the_longest_spelling_wins_and_the_rest_of_the_name_stays() -> None:
    idiom = NameIdiom(
        ("acquisition corp", "acquisition corporation"),
        frozenset(),
        frozenset(),
        "blank checks",
        "sic",
        "6770",
        "test",
    )
    reader = NameReader([idiom], frozenset({"blank", "check", "mine"}))
    reading = reader.read("Gold Mines Acquisition Corporation II")
    assert reading.text == "mines blank checks"
    assert reading.idioms == (("acquisition corporation", "blank checks"),)


def test_a_malformed_idiom_row_stops_the_load_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "idioms.csv"
    path.write_text(
        "words,unless_after,reads_as,system,code,why\n"
        "bancorp,,commercial bank,naics,522110,ok\n"
        "realty,,real estate,isic,531210,no such system\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="line 3"):
        load_idioms(path)


@pytest.mark.parametrize(
    "name",
    [
        "Northgate Health Inc.",
        "Apex Education Ltd",
        "Summit Technologies Inc.",
        # company names with words a public body uses too (found by a review)
        "Court Bakery Ltd",
        "Oakwood Public House Ltd",
        "Beechbank Court Management Company Limited",
        "Northgate Travel Agency Ltd",
        "Northgate Embassy Ltd",
        "Apex Holdings Public Limited Company",
    ],
)
def test_a_company_name_alone_gets_no_public_administration_code(name: str) -> None:
    """Read word by word the first three were the administration of public health or education
    programmes and space research and technology (NAICS 92, SIC 94-96)."""
    result = classify_business(name=name)
    assert not any(p.code.startswith("92") for p in result.naics)
    assert not any(p.code[:2] in {"91", "92", "93", "94", "95", "96", "97"} for p in result.sic)
    assert not any(p.code.startswith(("92", "93", "940")) for p in result.mcc)


@pytest.mark.parametrize(
    "name",
    ["Westshire County Council", "Department of Revenue"],
)
def test_a_public_body_named_as_one_keeps_public_administration(name: str) -> None:
    result = classify_business(name=name)
    assert any(p.code.startswith("92") for p in result.naics[:3]), name


def test_a_description_is_never_masked() -> None:
    described = classify_business(
        name="Summit Technologies Inc.", description="Space research and technology agency"
    )
    assert described.naics[0].code.startswith("92")
