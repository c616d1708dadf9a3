"""The matcher on its own (no database): what must match, what must not, and why."""

from __future__ import annotations

from typing import Any

import pytest

from screening.matching.index import ListEntity, ScreeningIndex, build_qualifiers
from screening.matching.scoring import prepare, score_name

THRESHOLD = 0.85
FLOOR = 0.75


def search(
    index: ScreeningIndex, name: str, entity_type: str = "any", **kwargs: object
) -> list[Any]:
    qualifiers = build_qualifiers(
        entity_type=entity_type,
        country=kwargs.get("country"),  # type: ignore[arg-type]
        identifiers=kwargs.get("identifiers", ()),  # type: ignore[arg-type]
    )
    return index.search(name, qualifiers=qualifiers, floor=FLOOR, limit=10)


def matched_ids(
    index: ScreeningIndex, name: str, entity_type: str = "any", **kwargs: object
) -> set[str]:
    return {
        h.entity.entity_id
        for h in search(index, name, entity_type, **kwargs)
        if h.score >= THRESHOLD
    }


def org_score(a: str, b: str) -> float:
    return score_name(prepare(a, person=False), prepare(b, person=False))[0]


def person_score(a: str, b: str) -> float:
    return score_name(prepare(a, person=True), prepare(b, person=True))[0]


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    def org(entity_id: str, name: str, *aliases: str, **kw: object) -> ListEntity:
        return ListEntity("ofac_sdn", entity_id, "organization", name, tuple(aliases), **kw)  # type: ignore[arg-type]

    def person(entity_id: str, name: str, *aliases: str, **kw: object) -> ListEntity:
        return ListEntity("ofac_sdn", entity_id, "person", name, tuple(aliases), **kw)  # type: ignore[arg-type]

    return ScreeningIndex(
        [
            org("1", "11420 CORP."),
            org("2", "AIRCRAFT, AVIONICS, PARTS & SUPPORT LTD."),
            org("3", "BANCO NACIONAL DE CUBA", "NATIONAL BANK OF CUBA", countries=("Cuba",)),
            org("4", "AEROCARIBBEAN AIRLINES", "AERO-CARIBBEAN"),
            org("5", "TNK TRADING INTERNATIONAL S.A."),
            org("6", "BEL-KAP-STEEL LLC", identifiers=("52-2083095",)),
            person("7", "Daniel MORENO"),
            person("8", "Elvis Angus LOGAN MOREY"),
            person("9", "Dmitry Yuryevich KHOROSHEV", "Дмитрий Юрьевич Хорошев"),
            person("10", "Hussein Ali AL-HOUTHI"),
            org("12", "SUNRISE HOLDING GROUP INTERNATIONAL"),
            person("13", "Mustafa Kamel MUSTAFA"),
            person("14", "Mustafa KAMEL"),
            person("15", "Imad Abdul-Ghani SABOUNI"),
            person("16", "Abd Al Munhim KUBAYSY"),
        ]
    )


def test_legal_suffix_alone_never_matches(index: ScreeningIndex) -> None:
    # Watchman's classic: "BELLETECH CORP" scored 100% against "11420 CORP.".
    assert matched_ids(index, "BELLETECH CORP") == set()
    assert org_score("BELLETECH CORP", "11420 CORP.") < 0.5


def test_names_sharing_only_generic_words_do_not_match(index: ScreeningIndex) -> None:
    assert matched_ids(index, "ACME HOLDING GROUP INTERNATIONAL LTD") == set()
    assert matched_ids(index, "GLOBAL TRADING INTERNATIONAL SA") == set()
    assert matched_ids(index, "SUPPORT LTD") == set()


def test_numbers_in_names_must_agree(index: ScreeningIndex) -> None:
    assert matched_ids(index, "11420 CORP") == {"1"}
    assert matched_ids(index, "11421 CORP") == set()


def test_exact_aliases_and_scripts_match(index: ScreeningIndex) -> None:
    assert matched_ids(index, "National Bank of Cuba") == {"3"}
    assert matched_ids(index, "Хорошев Дмитрий Юрьевич") == {"9"}


def test_legal_suffix_changes_still_match(index: ScreeningIndex) -> None:
    assert matched_ids(index, "BEL KAP STEEL LIMITED") == {"6"}
    assert matched_ids(index, "Banco Nacional de Cuba S.A.") == {"3"}
    assert matched_ids(index, "AIRCRAFT AVIONICS PARTS AND SUPPORT") == {"2"}


def test_typos_and_spacing_still_match(index: ScreeningIndex) -> None:
    assert matched_ids(index, "BANCO NACIONL DE CUBA") == {"3"}
    assert matched_ids(index, "AERO CARIBEAN AIRLINES") == {"4"}
    assert matched_ids(index, "Elvis Logan Morye") == {"8"}


def test_person_reordering_missing_middle_names_and_transliteration(index: ScreeningIndex) -> None:
    assert matched_ids(index, "KHOROSHEV Dmitry", "person") == {"9"}
    assert matched_ids(index, "Dmitriy Khoroshev", "person") == {"9"}
    assert matched_ids(index, "Husayn al-Houthi", "person") == {"10"}


def test_first_name_or_surname_alone_does_not_match(index: ScreeningIndex) -> None:
    assert matched_ids(index, "Daniel", "person") == set()
    assert matched_ids(index, "Moreno", "person") == set()
    assert matched_ids(index, "Daniel Garcia", "person") == set()
    assert person_score("Daniel", "Daniel MORENO") < 0.7


def test_country_and_type_are_qualifiers_not_the_match(index: ScreeningIndex) -> None:
    (cuba,) = [h for h in search(index, "Banco Nacional de Cuba", country="CU")]
    (elsewhere,) = [h for h in search(index, "Banco Nacional de Cuba", country="FR")]
    assert cuba.score > elsewhere.score
    assert (
        cuba.explanation["country"]["adjustment"]
        > 0
        > elsewhere.explanation["country"]["adjustment"]
    )
    (as_person,) = search(index, "Banco Nacional de Cuba", "person")
    assert as_person.score < THRESHOLD
    assert as_person.explanation["type"]["adjustment"] < 0


def test_identifier_on_the_list_is_strong_evidence(index: ScreeningIndex) -> None:
    hits = search(index, "Totally Different Name Inc", identifiers=["522083095"])
    assert [h.entity.entity_id for h in hits] == ["6"]
    assert hits[0].score >= THRESHOLD
    assert hits[0].explanation["identifier"]["matched"] == ["522083095"]


def test_every_hit_explains_its_score(index: ScreeningIndex) -> None:
    (hit,) = search(index, "Elvis Logan Morey", "person")
    name = hit.explanation["name"]
    assert hit.name == "Elvis Angus LOGAN MOREY"
    assert ["morey", "morey", 1.0] in name["pairs"]
    assert name["unpaired_list"] == ["angus"]
    assert 0 <= hit.score <= 1


def test_hits_are_ordered_best_first_and_capped(index: ScreeningIndex) -> None:
    qualifiers = build_qualifiers(entity_type="any", country=None, identifiers=())
    hits = index.search("Banco Nacional de Cuba", qualifiers=qualifiers, floor=0.0, limit=1)
    assert len(hits) == 1
    assert hits[0].entity.entity_id == "3"


def test_unrelated_query_touches_no_candidates(index: ScreeningIndex) -> None:
    partition = index._partitions[False]
    assert partition.candidates(prepare("Zyxwvut Qponml", person=False), FLOOR) == []
    # Both names of entity 3: "NATIONAL BANK OF CUBA" is reached by its words' equivalents.
    candidates = partition.candidates(prepare("BANCO NACIONL DE CUBA", person=False), FLOOR)
    assert {index._name_entities[name_idx] for _, name_idx in candidates} == {2}
    assert candidates[0][0] >= search(index, "BANCO NACIONL DE CUBA")[0].score  # a true bound


def test_a_repeated_query_word_pairs_twice_only_with_a_name_that_repeats_it(
    index: ScreeningIndex,
) -> None:
    assert matched_ids(index, "Mustafa MUSTAFA", "person") == {"13"}


def test_a_hyphenated_word_counts_as_one_word(index: ScreeningIndex) -> None:
    assert matched_ids(index, "Imad SABOUNI", "person") == {"15"}  # missing middle name
    assert matched_ids(index, "Abd-al-Munim", "person") == set()  # a given name alone


def test_remembered_similar_words_give_the_same_hits_and_stay_bounded() -> None:
    entities = [ListEntity("t", "1", "organization", "ORION SHIPPING LLC")]
    index = ScreeningIndex(entities)
    first = [(h.entity.entity_id, h.score) for h in search(index, "Orion Shiping Ltd")]
    again = [(h.entity.entity_id, h.score) for h in search(index, "Orion Shiping Ltd")]
    assert first == again == [("1", first[0][1])]
    index = ScreeningIndex(entities, similar_memo=2)
    for name in ("Alpha Beta", "Gamma Delta", "Orion Shipping"):
        search(index, name)
    partition = index._partitions[False]
    assert len(partition._similar_memo) <= 2
    assert [h.entity.entity_id for h in search(index, "Orion Shiping Ltd")] == ["1"]


def test_a_list_change_index_remembers_more_words_than_the_full_index() -> None:
    from screening.matching.index import CHANGE_MEMO_MAX, SIMILAR_MEMO_MAX

    assert CHANGE_MEMO_MAX > SIMILAR_MEMO_MAX
    index = ScreeningIndex([ListEntity("t", "1", "organization", "ORION SHIPPING LLC")])
    assert {p.memo_max for p in index._partitions.values()} == {SIMILAR_MEMO_MAX}


def test_a_query_meeting_no_listed_word_has_no_candidates_but_an_acronym_still_does() -> None:
    index = ScreeningIndex(
        [ListEntity("t", "1", "organization", "KOREA NATIONAL PETROLEUM CORPORATION")]
    )
    assert search(index, "Zebedee Quartz Holdings") == []
    assert [h.entity.entity_id for h in search(index, "KNPC")] == ["1"]


def test_a_screened_name_is_read_up_to_its_32nd_word(monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by a review: a name's cost grows with its words, and 100 names of 160 two-letter
    words each ("Ad Al Ad Al ...", within the API's 500 characters) took a minute of CPU."""
    from screening.matching import index as index_module

    read: list[int] = []

    def spy(text: str, **kwargs: Any) -> Any:
        form = prepare(text, **kwargs)
        read.append(len(form.tokens))
        return form

    index = ScreeningIndex([ListEntity("t", "1", "organization", "ORION SHIPPING")])
    monkeypatch.setattr(index_module, "prepare", spy)
    qualifiers = build_qualifiers(entity_type="any", country=None, identifiers=())
    index.search("Ad Al " * 80, qualifiers=qualifiers, floor=0.5, limit=5)
    assert read and max(read) == index_module.MAX_QUERY_WORDS == 32
    # Chinese characters are a word each.
    read.clear()
    index.search("李" * 480, qualifiers=qualifiers, floor=0.5, limit=5)
    assert read and max(read) == 32
    # A name within the cap is read whole.
    read.clear()
    index.search("Orion Shipping Company", qualifiers=qualifiers, floor=0.5, limit=5)
    assert max(read) == 3  # every word (the organisation form reads the legal form apart)
