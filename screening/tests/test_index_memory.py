"""The screening index's memory per listed name (issue #10: web and worker RSS budget).

Every web worker that serves ``/screen`` and every Celery worker holds one index, so its size is
multiplied by the process count. Measured with tracemalloc (bytes allocated and still live after
the build), which is deterministic for the same lists and code: no clock, no RSS noise.
"""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from screening.management.commands.bench_screen import SHIPPED
from screening.matching.index import ScreeningIndex, _KeyTable, build_qualifiers
from screening.matching.normalize import consonant_key, tokenize
from screening.tests.conftest import entities_from

# The shipped OFAC SDN 2021 set (8,976 entries, 22,000+ names) took 5,430 bytes a name before
# postings were frozen into tuples and shared ints (one empty set per vocabulary token and
# posting list cost 216 bytes), 2,760 before the typo, skeleton and phonetic keys went into
# integer arrays and the build stopped filling the tokenizer's cache, 1,630 before postings
# went into flat arrays and per-name data into lists; about 1,240 now (docs/performance.md,
# "Memory").
BUDGET_BYTES_PER_NAME = 1_500


def test_index_memory_per_name_stays_within_budget() -> None:
    entities = entities_from("ofac_sdn", SHIPPED["ofac_sdn"])
    gc.collect()
    tracemalloc.start()
    try:
        index = ScreeningIndex(entities)
        gc.collect()
        live, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    per_name = live / index.name_count
    assert index.name_count > 20_000
    assert per_name < BUDGET_BYTES_PER_NAME, f"{per_name:.0f} bytes per name"
    # Still answers: the frozen postings are the ones searched.
    assert index.search(
        "BANCO NACIONAL DE CUBA",
        qualifiers=build_qualifiers(entity_type="any", country=None, identifiers=()),
        floor=0.85,
        limit=3,
    )


def test_a_key_table_reaches_exactly_the_tokens_posted_under_each_key() -> None:
    pairs = [("aple", 3), ("aple", 7), ("appl", 3), ("banana", 1), ("banana", 1_000_000)]
    pairs += [(f"filler{n}", n) for n in range(500)]  # enough rows for many buckets
    table = _KeyTable([_KeyTable.row(key, tid) for key, tid in pairs])
    reached: set[int] = set()
    table.reach(reached, "aple")
    assert reached == {3, 7}
    reached = set()
    table.reach(reached, "appl", "banana", "pear")  # several keys at once; "pear" is absent
    assert reached == {3, 1, 1_000_000}
    for n in range(500):
        one: set[int] = set()
        table.reach(one, f"filler{n}")
        assert n in one
    empty: set[int] = set()
    _KeyTable([]).reach(empty, "aple")
    assert not empty


def test_a_key_table_refuses_a_token_id_it_cannot_hold() -> None:
    with pytest.raises(ValueError, match="vocabulary tokens"):
        _KeyTable.row("key", 1 << 24)


def test_building_an_index_leaves_the_query_caches_alone() -> None:
    """The list's names are prepared once: caching them only kept them alive beside the index."""
    tokenize.cache_clear()
    consonant_key.cache_clear()
    ScreeningIndex(entities_from("un", SHIPPED["un"]))
    assert tokenize.cache_info().currsize < 100
    assert consonant_key.cache_info().currsize == 0
