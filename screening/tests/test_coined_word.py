"""A short alias inside a longer company name, when the one word they share is coined.

The variant kind: lists write an organisation with its trade and legal form, its aliases without
them, and merchants write their own trade after it ("SEPANIR" / "SEPANIR OIL AND GAS ENERGY
ENGINEERING CO"). The false-hit kind it must not bring back: a real company merely containing a
short listed name made of an ordinary word ("Alco Energy" / "ALCO", test_partial_overlap). Names
here are invented, or the list's own.
"""

from __future__ import annotations

import pytest

from screening.matching.index import ListEntity, ScreeningIndex, build_qualifiers
from screening.matching.scoring import COINED_WORD_MIN_LENGTH, prepare, score_name
from screening.matching.vocabulary import common_words

ORG_THRESHOLD = 0.78  # SCREENING_ORG_MATCH_THRESHOLD's default


def explain(query: str, listed: str) -> tuple[float, dict[str, object]]:
    return score_name(prepare(query, person=False), prepare(listed, person=False))


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("SEPANIR OIL AND GAS ENERGY ENGINEERING CO", "SEPANIR"),  # the query adds its trade
        ("ZARGANOV", "ZARGANOV DIAMONDS (PRIVATE) LIMITED"),  # the listed name adds its trade
        ("Zorkavan Trading Company LLC", "ZORKAVAN"),
        ("Ingosstrakh", "INGOSSTRAKH INSURANCE COMPANY"),
        ("Ингосстрах", "INGOSSTRAKH INSURANCE COMPANY"),  # the same word in Cyrillic
        ("KRASLESINVEST", "THE CLOSED JOINT-STOCK COMPANY KRASLESINVEST"),
        ("Redutov Battalion", "REDUTOV"),
        ("SELKBAF SPINNING AND WEAVING FACTORIES", "SELKBAF CO"),
    ],
)
def test_a_coined_word_with_ordinary_words_around_it_matches(query: str, listed: str) -> None:
    score, explanation = explain(query, listed)
    assert score >= ORG_THRESHOLD, explanation
    assert "coined_word" in explanation or score == 1.0, explanation


@pytest.mark.parametrize(
    ("query", "listed", "why"),
    [
        ("Paramount Pictures LLC", "PARAMOUNT", "an ordinary word"),
        ("Atlantic Shipping Ltd", "ATLANTIC", "an ordinary word"),
        ("KAHANE LIVES", "KAHANE CHAI", "each name adds a word of its own"),
        ("SEPANIR ZORKAVAN", "SEPANIR", "the query adds a coined word of its own"),
        ("CIMEX INTERNATIONAL TRADING", "CIMEX", "a short word: initials and brands sit there"),
        ("Genco Shipping A/S", "GENCO", "a short word (a real company, test_partial_overlap)"),
    ],
)
def test_the_rule_leaves_other_shapes_alone(query: str, listed: str, why: str) -> None:
    score, explanation = explain(query, listed)
    assert "coined_word" not in explanation, why
    assert score < ORG_THRESHOLD, (why, explanation)


def test_the_ordinary_words_are_what_the_guards_say() -> None:
    """The guards above test what they claim: the lexicon holds the ordinary words and not the
    coined ones, and the short word is below the length the rule asks for."""
    words = common_words()
    for word in ("paramount", "atlantic", "pictures", "diamonds", "battalion", "lives", "chai"):
        assert word in words, word
    for word in ("sepanir", "zarganov", "zorkavan", "ingosstrakh", "kahane", "cimex", "genco"):
        assert word not in words, word
    assert len("genco") < COINED_WORD_MIN_LENGTH <= len("redutov")
    assert len(words) > 50_000 and 1234 not in words


def test_through_the_index_the_alias_is_a_hit_and_explains_why() -> None:
    index = ScreeningIndex(
        [
            ListEntity("uk_ofsi", "13701", "organization", "SEPANIR OIL AND GAS ENERGY ENG. CO"),
            ListEntity("ofac_sdn", "9750", "organization", "BEIJING ALITE TECHNOLOGIES", ("ALCO",)),
        ]
    )
    qualifiers = build_qualifiers(entity_type="organization", country=None, identifiers=())
    (hit,) = index.search("SEPANIR", qualifiers=qualifiers, floor=0.5, limit=5)
    assert hit.entity.entity_id == "13701"
    assert hit.score >= ORG_THRESHOLD
    assert "coined_word" in hit.explanation
    assert not [
        h
        for h in index.search("Alco Energy", qualifiers=qualifiers, floor=0.5, limit=5)
        if h.score >= ORG_THRESHOLD
    ]
