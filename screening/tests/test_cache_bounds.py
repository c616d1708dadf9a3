"""The matcher's caches, full, stay under 10 MB (issue #10: every worker fills them as it screens).

With 262,144 remembered token pairs and 131,072 words per word function, a worker that had
screened 20,000 names had grown by 96 MB (``make bench-memory``). Filled here to their bounds
with distinct words; tracemalloc counts what they keep (no clock, no RSS noise).
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from itertools import count
from typing import Any

from screening.matching import normalize, scoring, variants

BUDGET_BYTES = 10_000_000  # about 8 MB when full


def _words() -> Any:
    for n in count():
        yield f"w{n:07d}abc"


def test_the_matchers_caches_full_hold_a_few_megabytes() -> None:
    words = _words()
    fills: list[tuple[Any, Callable[[], object]]] = [
        (normalize.tokenize, lambda: normalize.tokenize(f"{next(words)} {next(words)} LTD")),
        (normalize.consonant_key, lambda: normalize.consonant_key(next(words))),
        (variants.phonetic_key, lambda: variants.phonetic_key(next(words))),
        (
            scoring.token_similarity,
            lambda: scoring.token_similarity(next(words), next(words), person=True),
        ),
    ]
    for cached, _ in fills:
        cached.cache_clear()
    gc.collect()
    tracemalloc.start()
    try:
        for cached, fill in fills:
            for _ in range(cached.cache_parameters()["maxsize"]):
                fill()
            assert cached.cache_info().currsize == cached.cache_parameters()["maxsize"]
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        for cached, _ in fills:
            cached.cache_clear()
    assert held < BUDGET_BYTES, f"{held / 1e6:.1f} MB"
