"""The screening benchmark's real name pairs scored by a reference matcher: OpenSanctions'
nomenklatura (``logic-v2``, the matcher behind yente and the OpenSanctions API, and
``name-based``).

Run by ``make bench-reference``, in a virtualenv of its own (``.venv-reference``, from
``requirements-reference.txt``): nomenklatura is no dependency of the product. Every pair of
``screening/data/bench/real_pairs.csv`` is compared as two entities holding one name each; a
matcher's cutoff is the one with the best F1 on the dev half, per kind of name, and the table
reports the hold-out half at that cutoff, as ``make bench-screen`` reports the rapidfuzz
baseline. The comparison is pair by pair, with no candidate search and no false-hit rule on real
company names: it favours the reference over our matcher, which is searched as production
searches (docs/screening.md, "A reference matcher").
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from followthemoney import model
from nomenklatura.matching import get_algorithm
from nomenklatura.matching.types import ScoringConfig

PAIRS = Path(__file__).resolve().parent.parent / "screening/data/bench/real_pairs.csv"
SCHEMAS = {"organization": "Organization", "person": "Person"}
Row = tuple[str, str, bool, float]  # split, entity type, label, score


def scores(algorithm: str, pairs: Sequence[dict[str, str]]) -> tuple[list[Row], float]:
    """Each pair's score, and the median milliseconds of one comparison."""
    matcher = get_algorithm(algorithm)
    if matcher is None:
        raise SystemExit(f"nomenklatura has no matcher {algorithm!r}")
    config = ScoringConfig.defaults()
    rows: list[Row] = []
    took: list[float] = []
    for i, pair in enumerate(pairs):
        schema = SCHEMAS[pair["entity_type"]]
        query, listed = model.make_entity(schema), model.make_entity(schema)
        # Distinct ids: the matchers remember results by entity id.
        query.id, listed.id = f"q{i}", f"l{i}"
        query.add("name", pair["query"])
        listed.add("name", pair["listed"])
        start = time.perf_counter()
        result = matcher.compare(query, listed, config)
        took.append((time.perf_counter() - start) * 1000)
        rows.append((pair["split"], pair["entity_type"], pair["label"] == "1", result.score))
    took.sort()
    return rows, took[len(took) // 2]


def confusion(rows: Sequence[Row], cutoff: float) -> tuple[float, float, float]:
    """Precision, recall and F1 at `cutoff`."""
    tp = sum(1 for *_, label, score in rows if label and score >= cutoff)
    fp = sum(1 for *_, label, score in rows if not label and score >= cutoff)
    fn = sum(1 for *_, label, score in rows if label and score < cutoff)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--algorithms", default="logic-v2,name-based")
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    args = parser.parse_args(argv)
    with args.pairs.open(encoding="utf-8", newline="") as handle:
        pairs = list(csv.DictReader(handle))
    print(f"{len(pairs)} real name pairs; cutoffs chosen on the dev half, hold-out half reported")
    print("| matcher | names | cutoff (best F1 on dev) | precision | recall | F1 | ms/pair |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for algorithm in args.algorithms.split(","):
        rows, median_ms = scores(algorithm, pairs)
        for kind in SCHEMAS:
            dev = [r for r in rows if r[0] == "dev" and r[1] == kind]
            holdout = [r for r in rows if r[0] == "holdout" and r[1] == kind]
            cutoff = max((confusion(dev, c / 100)[2], c / 100) for c in range(1, 100))[1]
            precision, recall, f1 = confusion(holdout, cutoff)
            print(
                f"| nomenklatura {algorithm} | {kind} | {cutoff:.2f} | {precision:.3f} | "
                f"{recall:.3f} | {f1:.3f} | {median_ms:.3f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
