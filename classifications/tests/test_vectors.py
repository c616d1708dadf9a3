"""The classifier's compact string tables (issue #10: every worker holds one loaded model)."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest

from classifications.engine import model as engine_model
from classifications.engine.vectors import Texts, Vocabulary


def test_texts_read_back_as_the_strings_they_hold() -> None:
    items = ["clothing", "", "café crêperie", "a", "Ünïcode ✓"]
    texts = Texts(items)
    assert len(texts) == 5
    assert list(texts) == items
    assert [texts[i] for i in range(5)] == items
    assert texts[-1] == "Ünïcode ✓"
    assert texts[1:3] == ["", "café crêperie"]
    with pytest.raises(IndexError):
        texts[5]
    assert list(Texts([])) == []
    with pytest.raises(ValueError, match="NUL"):
        Texts(["a\x00b"])


def test_a_vocabulary_finds_each_feature_column_and_nothing_else() -> None:
    features = ["shop", "clothing", "sho", "shop ", "ÿ", "outdoor clothing"]
    vocabulary = Vocabulary(features)
    assert vocabulary.lookup(features) == list(range(len(features)))
    assert vocabulary.lookup(["clothing", "missing", "shop", "shop"]) == [1, -1, 0, 0]
    assert vocabulary.get("outdoor clothing") == 5
    assert vocabulary.get("outdoor") is None
    assert vocabulary.lookup([]) == []
    assert Vocabulary([]).lookup(["shop"]) == [-1]


def test_a_hash_shared_by_two_features_never_gives_the_wrong_column() -> None:
    vocabulary = Vocabulary(["alpha", "beta"])
    shared = hash("beta")
    # Both entries under one hash, "alpha" first: a lookup of "beta" must still find column 1.
    vocabulary._hashes = np.array([shared, shared], dtype=np.int64)
    vocabulary._columns = np.array([0, 1], dtype=np.int32)
    assert vocabulary.lookup(["beta"]) == [1]
    assert vocabulary.get("beta") == 1


def test_a_loaded_classifier_stays_within_its_memory_budget() -> None:
    """Python objects and arrays a loaded model keeps: 32 MB while vocabularies and index
    phrases were dicts and lists of strings, about 21 MB now (docs/performance.md, "Memory")."""
    gc.collect()
    tracemalloc.start()
    try:
        loaded = engine_model.load()
        gc.collect()
        live, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert live < 25_000_000, f"{live / 1e6:.1f} MB"
    result = loaded.classify(
        name="Northwind Outdoor Ltd", description="Online outdoor clothing shop"
    )
    assert result.naics


def test_stemming_from_many_threads_gives_each_word_its_own_stem() -> None:
    """One stemmer shared by a web worker's threads mangled concurrent words: an IndexError (a
    500 from /classify) or another word's stem, seen under make loadtest."""
    import sys
    import threading

    import Stemmer

    from classifications.engine.text import stem

    words = [
        f"{root}{suffix}"
        for root in ("outfit", "bank", "brew", "plumb", "consult")
        for suffix in ("ing", "ings", "ed", "er", "ers", "ation", "ational", "ness", "ly")
    ]
    words = [f"{w}{'x' * n}" for n in range(40) for w in words]  # distinct, uncached
    expected = {w: Stemmer.Stemmer("english").stemWord(w) for w in words}
    failures: list[str] = []

    def run() -> None:
        try:
            for word in words:
                if stem.__wrapped__(word) != expected[word]:
                    failures.append(word)
        except Exception as exc:  # noqa: BLE001 - the test reports it
            failures.append(repr(exc))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter allows
    try:
        threads = [threading.Thread(target=run) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == []
