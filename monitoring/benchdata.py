"""Real names and business descriptions for the memory benchmarks (no Django import: the
standalone load test, ``scripts/loadtest/run.py``, reads them too).

Names: the screening benchmark's registry names, its real query names and the listed names they
pair with (``screening/data/bench``). Descriptions: the Census NAICS index phrases
(``classifications/data``). Both are in the repository with their attribution.
"""

from __future__ import annotations

import csv
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def real_names(count: int, root: Path = ROOT) -> list[str]:
    """Up to `count` distinct real names, registry names first."""
    bench = root / "screening" / "data" / "bench"
    names: dict[str, None] = {}
    with (bench / "registry_names.csv").open(encoding="utf-8") as fh:
        names.update(dict.fromkeys(row["name"] for row in csv.DictReader(fh)))
    with (bench / "real_pairs.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            names.update(dict.fromkeys((row["query"], row["listed"])))
    return list(islice(names, count))


def index_phrases(count: int, root: Path = ROOT) -> list[str]:
    """`count` NAICS index phrases in file order (repeated if more are asked for than exist)."""
    path = root / "classifications" / "data" / "naics2022_index_file.csv"
    with path.open(encoding="utf-8") as fh:
        phrases = [row["index_item_description"] for row in csv.DictReader(fh)]
    return list(islice(cycle(phrases), count))
