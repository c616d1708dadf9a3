"""Candidate generation: names the scorer matches must be proposed to it. Each case is a real
alias of the dev half of the screening benchmark that the scorer matched and the index never
proposed (docs/screening.md, "Candidates")."""

from __future__ import annotations

import pytest

from screening.matching.index import MAX_CANDIDATES, ListEntity, ScreeningIndex
from screening.matching.scoring import prepare
from screening.services import screen_name


def _index(*names: str) -> ScreeningIndex:
    return ScreeningIndex(
        [ListEntity("ofac_sdn", str(i), "organization", name) for i, name in enumerate(names)]
    )


def _matched(query: str, index: ScreeningIndex) -> list[str]:
    return [
        hit.name
        for hit in screen_name(name=query, entity_type="organization", index=index)
        if hit.match
    ]


def test_a_name_sharing_a_rare_word_is_scored_however_many_names_share_the_common_one() -> None:
    """ "JOINT STOCK COMMERCIAL BANK RUBLEV" is bounded low for "RUBLEV BANK" (four words the
    query lacks), below every short bank's name; only the best ``MAX_CANDIDATES`` bounds are
    scored, so it was never scored. Names sharing a rare word are kept apart from that cut."""
    banks = [f"{word} BANK" for word in _words(2 * MAX_CANDIDATES)]
    index = _index(*banks, "JOINT STOCK COMMERCIAL BANK RUBLEV")
    assert _matched("RUBLEV BANK", index) == ["JOINT STOCK COMMERCIAL BANK RUBLEV"]


def test_a_foreign_spelling_of_an_ordinary_word_is_not_a_rare_word() -> None:
    """Dutch "ORGANISATIE" and "COMMERCIELE" are coined words to the vocabulary, but they pair
    with "ORGANIZATION" and "COMMERCIAL": every name holding those would take the rare words'
    places, and "EVRAZIA", the one name sharing a rare word, was cut."""
    crowd = [f"{word} ORGANIZATION" for word in _words(MAX_CANDIDATES)]
    crowd += [f"{word} COMMERCIAL" for word in _words(MAX_CANDIDATES, start=MAX_CANDIDATES)]
    index = _index(*crowd, "EVRAZIA")
    query = prepare(
        "EVRAZIA - AUTONOME NIET-COMMERCIELE ORGANISATIE VOOR DE BEVORDERING VAN "
        "INTERNATIONALE SAMENWERKING",
        person=False,
    )
    found = index._partitions[False].candidates(query, 0.68, 0.50, MAX_CANDIDATES)
    assert len(crowd) in {name for _, name in found}


def test_long_words_differing_in_their_first_letters_are_candidates() -> None:
    """Two edits near the start of a long word ("RUKHERVOMOTOR" / "RUCHSERVOMOTOR") share no
    one-deletion key and no first six letters: the last six letters reach it."""
    assert _matched("RUKHERVOMOTOR LLC", _index("RUCHSERVOMOTOR LLC")) == ["RUCHSERVOMOTOR LLC"]


def test_two_query_words_meet_a_listed_word_spelled_differently() -> None:
    """ "MAD KANDALU" is "MADKANDALOO" split and spelled otherwise: the join of the query's two
    words reaches the listed word by its first letters."""
    listed = "QESHM MADKANDALOO SHIPBUILDING COOPERATIVE CO"
    assert _matched("MAD KANDALU SHIPBUILDING COOPERATIVE", _index(listed)) == [listed]


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("ISLAMIC REVOLUTION GUARDS CORPS GROUND FORCE", "IRGC GROUND FORCES"),
        ("ISLAMIC STATE OF IRAQ AND THE SHAM - SINAI PROVINCE", "ISIS-SINAI PROVINCE"),
    ],
)
def test_a_listed_acronym_of_some_query_words_is_a_candidate(query: str, listed: str) -> None:
    """Initials of a run at the start of the query, and of one with connectors ("of", "and",
    "the" are left out: ISIS) (both real pairs of the dev half)."""
    assert _matched(query, _index(listed)) == [listed]


def test_a_run_anywhere_in_the_query_is_read_as_initials() -> None:
    """Invented: the run in the middle of the query, with a connector inside it."""
    index = _index("ZORVEX QBT HOLDINGS", "ZORVEX HOLDINGS")
    query = prepare("ZORVEX QUANTUM BANK OF TASHKENT HOLDINGS", person=False)
    found = index._partitions[False]._run_acronyms(
        query, [{0, 1} if token == "zorvex" else set() for token in query.tokens]
    )
    assert found == {0: sum(query.weights[1:5])}


def test_a_whole_name_or_a_generic_word_beside_its_initials_proposes_no_acronym() -> None:
    """Real company names' initials meet short listed names ("International Self Storage, Inc."
    / "ISS" in the registry sample), so the initials of the whole query (four words here, as
    shorter queries are not read as runs at all), or of all but a generic word, propose
    nothing."""
    index = _index("ISSH", "MPS GROUP")
    for query in ("International Self Storage Holdings", "Monolithic Power Systems Group"):
        found = index._partitions[False].candidates(prepare(query, person=False), 0.68, 0.50)
        assert found == [], query


def _words(count: int, start: int = 0) -> list[str]:
    """Distinct made-up words (letters only, no vowel runs that read as real words)."""
    letters = "BCDFGHJKLMNPRSTVZ"
    n = len(letters)
    return [f"Q{letters[i % n]}X{letters[(i // n) % n]}" for i in range(start, start + count)]


def test_a_generic_word_outside_the_run_holds_an_acronym_too() -> None:
    """A real pair of the dev half: the scorer matched it (0.90) and the index never proposed
    it, as the word outside the run (REAL) is generic. A structure word ("group") still does
    not: see the test above."""
    listed = "REAL IRA"
    assert _matched("REAL IRISH REPUBLICAN ARMY", _index(listed)) == [listed]
