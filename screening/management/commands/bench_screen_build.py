"""``manage.py bench_screen_build``: freeze the real-pair screening benchmark from shared data.

Run once; the output files are committed and read by ``bench_screen``. Re-running on the same
inputs writes the same files (every choice is by a stable hash, not a random draw).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from screening import benchmark_pairs
from screening.benchmark_sources import read_all
from screening.matching.normalize import tokenize


class Command(BaseCommand):
    """Write ``screening/data/bench/real_pairs.csv`` and ``registry_names.csv``."""

    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--shared", type=Path, required=True, help="the shared reference data folder"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        shared: Path = options["shared"]
        entities = read_all(shared)
        pairs = benchmark_pairs.build_pairs(entities)
        benchmark_pairs.write_pairs(pairs)
        counts = Counter((p.split, p.entity_type, p.label) for p in pairs)
        for key, count in sorted(counts.items()):
            self.stdout.write(f"{key}: {count}")
        listed = {" ".join(tokenize(n)) for e in entities for n in (e.primary, *e.aliases) if n}
        names = benchmark_pairs.registry_names(
            benchmark_pairs.BENCH_DIR / "negative_companies_gleif.csv",
            shared / "registry" / "companies_house_basic_sample_1000.csv",
            listed,
        )
        with benchmark_pairs.REGISTRY_FILE.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(("split", "source", "name"))
            writer.writerows(names)
        self.stdout.write(f"registry names: {Counter((s, src) for s, src, _ in names)}")
