"""The screening index's memory per listed name (issue #10: web and worker RSS budget).

Every web worker that serves ``/screen`` and every Celery worker holds one index, so its size is
multiplied by the process count. Measured with tracemalloc (bytes allocated and still live after
the build), which is deterministic for the same lists and code: no clock, no RSS noise.
"""

from __future__ import annotations

import gc
import tracemalloc

from screening.management.commands.bench_screen import SHIPPED
from screening.matching.index import ScreeningIndex, build_qualifiers
from screening.tests.conftest import entities_from

# The shipped OFAC SDN 2021 set (8,976 entries, 22,000+ names) took 5,430 bytes a name before
# postings were frozen into tuples and shared ints (one empty set per vocabulary token and
# posting list cost 216 bytes); it takes about 2,740 now (docs/performance.md, "Memory").
BUDGET_BYTES_PER_NAME = 3_300


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
