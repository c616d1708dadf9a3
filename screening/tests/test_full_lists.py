"""Acceptance on the shipped lists: OFAC 2021 SDN set, OFAC consolidated, UN (one slow test)."""

from __future__ import annotations

import random

import pytest

from screening import benchmark, selectors
from screening.management.commands.bench_screen import SHIPPED
from screening.models import WatchList
from screening.services import screen_name, watchlist_load


def matched(name: str, entity_type: str = "any") -> set[tuple[str, str]]:
    return {
        (h.list, h.entity_id)
        for h in screen_name(name=name, entity_type=entity_type, limit=50)
        if h.match
    }


@pytest.mark.django_db
def test_shipped_lists_load_and_screen_as_the_issue_requires() -> None:
    for source, paths in SHIPPED.items():
        result = watchlist_load(source=source, paths=paths)
        assert result.issues == [], source
    counts = dict(WatchList.objects.filter(is_active=True).values_list("source", "entry_count"))
    assert counts == {"ofac_sdn": 8976, "ofac_cons": 442, "un": 1003}

    _, entities = selectors.watchlist_snapshot()
    # Equal values of different rows are one object each (the snapshot lives in every process).
    sdn = [e for e in entities if e.list_source == "ofac_sdn"]
    assert len({id(e.list_source) for e in sdn}) == 1
    assert len({id(e.entity_type) for e in entities}) == len({e.entity_type for e in entities})
    assert len({id(e.programs) for e in sdn}) == len({e.programs for e in sdn})
    rng = random.Random(1)
    for entity in rng.sample(entities, 40):  # every name and alias of a sample is a match
        for name in (entity.primary_name, *entity.aliases):
            assert (entity.list_source, entity.entity_id) in matched(name), name

    variants = [
        q
        for q in benchmark.labelled_set(entities, positives=60, negatives=0, seed=3)
        if q.kind in {"typo", "reorder", "suffix", "missing_middle"}
    ]
    found = [q for q in variants if q.expected in matched(q.name, q.entity_type)]
    # Variants are random edits; a few land in words too short to tolerate them (documented).
    assert len(found) / len(variants) >= 0.9

    assert matched("BELLETECH CORP", "organization") == set()
    assert matched("ACME TRADING COMPANY LIMITED", "organization") == set()
    assert matched("GLOBAL HOLDING GROUP INTERNATIONAL", "organization") == set()
    assert matched("Daniel", "person") == set()
    assert matched("Ali", "person") == set()
    assert ("ofac_sdn", "306") in matched("Banco Nacional de Cuba SA", "organization")
