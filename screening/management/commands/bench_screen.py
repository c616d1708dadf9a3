"""``manage.py bench_screen``: latency and precision/recall of screening on the shipped lists."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from screening import benchmark, engine, selectors
from screening.hits import ScreeningHit
from screening.services import match_threshold, screen_name, watchlist_load

DATA = Path(__file__).resolve().parents[2] / "data"
SHIPPED = {
    "ofac_sdn": sorted((DATA / "ofac_sdn_2021-07").glob("*.csv")),
    "ofac_cons": sorted((DATA / "ofac_cons").glob("*.csv")),
    "un": sorted((DATA / "un").glob("*.xml")),
}


class Command(BaseCommand):
    """Load the shipped lists if they are not loaded, then screen a labelled set on this one
    process and print median/p95 latency per name and precision/recall by kind of name."""

    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--positives", type=int, default=1500, help="entities sampled")
        parser.add_argument("--negatives", type=int, default=1000, help="names per negative kind")
        parser.add_argument("--seed", type=int, default=11, help="5 was used while tuning")
        parser.add_argument("--reload", action="store_true", help="reload the shipped lists")
        parser.add_argument("--show-errors", type=int, default=0, help="print N misses and FPs")

    def handle(self, *args: Any, **options: Any) -> None:
        self._ensure_lists(reload=options["reload"])
        engine.reset()
        started = time.perf_counter()
        index = engine.current_index()
        build_s = time.perf_counter() - started
        _, entities = selectors.watchlist_snapshot()
        queries = benchmark.labelled_set(
            entities,
            positives=options["positives"],
            negatives=options["negatives"],
            seed=options["seed"],
        )
        benchmark.run(queries[:100], _screen)  # warm caches before timing
        result = benchmark.run(queries, _screen)
        w = self.stdout.write
        w(f"lists: {len(index)} entities, {index.name_count} names; index build {build_s:.2f} s")
        w(f"threshold {match_threshold():.2f}; {len(queries)} names screened on one process")
        w(
            f"latency per name: median {result.median:.3f} ms, "
            f"p95 {result.percentile(0.95):.3f} ms, "
            f"p99 {result.percentile(0.99):.3f} ms, max {max(result.latencies_ms):.3f} ms"
        )
        w("| kind | names | matched | rate |")
        w("|---|---:|---:|---:|")
        for kind, matched, total in benchmark.by_kind(result):
            w(f"| {kind} | {total} | {matched} | {matched / total:.3f} |")
        w(
            f"precision {result.precision:.4f}  recall {result.recall:.4f}  "
            f"({result.true_positives}/{result.positives} positives found, "
            f"{result.negatives_matched} negatives matched)"
        )
        for query in result.missed[: options["show_errors"]]:
            w(f"missed [{query.kind}] {query.name!r} -> {query.expected}")
        for query, hit in result.false_positives[: options["show_errors"]]:
            w(
                f"false positive [{query.kind}] {query.name!r} ~ {hit.name!r} "
                f"({hit.list}:{hit.entity_id}) {hit.score}"
            )

    def _ensure_lists(self, *, reload: bool) -> None:
        active = set(selectors.watchlists_active().values_list("source", flat=True))
        for source, paths in SHIPPED.items():
            if reload or source not in active:
                result = watchlist_load(source=source, paths=paths)
                self.stdout.write(
                    f"loaded {source} v{result.watchlist.version}: "
                    f"{result.watchlist.entry_count} entries"
                )


def _screen(query: benchmark.LabelledName) -> list[ScreeningHit]:
    return screen_name(name=query.name, entity_type=query.entity_type)
