"""The real-pair benchmark scores each pair as production searches (``matcher_scores``)."""

from __future__ import annotations

from screening.benchmark_pairs import Pair, matcher_scores
from screening.matching.index import ByPartition, ListEntity, ScreeningIndex
from screening.services import match_thresholds, screen_name, search_bounds


def pair(query: str, listed: str, label: bool = True) -> Pair:
    return Pair("dev", "ofac_sdn", "organization", label, query, listed, "1", "")


def test_a_pair_scores_as_its_listed_name_among_all_the_listed_names() -> None:
    pairs = [
        pair("VATECH VIDEO AND PRO AUDIO", "VATECH SARL"),
        pair("HOTEL PLAZA", "HOTEL SOL PLAZA", label=False),
        pair("COMPLETELY UNRELATED NAME", "VATECH SARL", label=False),
    ]
    floor, match_at = search_bounds(match_thresholds())
    scores = matcher_scores(pairs, floor=floor, match_at=match_at)
    index = ScreeningIndex(
        [
            ListEntity("bench", "0", "organization", "VATECH SARL"),
            ListEntity("bench", "1", "organization", "HOTEL SOL PLAZA"),
        ]
    )
    expected = [
        next(
            (
                h.score
                for h in screen_name(name=p.query, index=index)
                if h.list == "bench" and h.entity_id == str(i)
            ),
            0.0,
        )
        for p, i in zip(pairs, (0, 1, 0), strict=True)
    ]
    assert scores == expected
    assert scores[0] >= 0.78 > scores[1] > 0.0
    assert scores[2] == 0.0  # never proposed


def test_a_name_production_would_not_propose_is_a_miss() -> None:
    """Searched from a floor above what the name can reach, the pair scores 0, as it would in
    production: the benchmark no longer searches from 0.5 whatever the thresholds."""
    p = pair("HOTEL PLAZA", "HOTEL SOL PLAZA", label=False)
    high = ByPartition(0.95, 0.95)
    assert matcher_scores([p], floor=high, match_at=high) == [0.0]
