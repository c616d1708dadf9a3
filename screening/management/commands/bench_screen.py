"""``manage.py bench_screen``: matcher quality on real name pairs, false hits, and latency.

Quality: precision, recall and F1 for organisations and persons on the real-pair benchmark
(``screening/data/bench/real_pairs.csv``, hold-out half by default), next to a plain rapidfuzz
baseline on the same pairs; false hits of real non-listed company names against every loaded list.
Speed: median/p95 per name over a labelled set built from the loaded lists (generated variants,
used for timing and as a regression check only, not as a quality figure).
"""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rapidfuzz import fuzz, process, utils

from kyb.process_metrics import resident_mb
from screening import benchmark, benchmark_pairs, engine, selectors
from screening.hits import ScreeningHit
from screening.services import (
    match_threshold,
    match_thresholds,
    screen_name,
    search_bounds,
    watchlist_load,
)

DATA = Path(__file__).resolve().parents[2] / "data"
BASELINE_SAMPLE = 200  # the baseline scans every listed name per query: a sample keeps it short
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
        parser.add_argument(
            "--split",
            choices=benchmark_pairs.SPLITS,
            default="holdout",
            help="real-pair half to report (dev was seen while tuning; holdout was not)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self._ensure_lists(reload=options["reload"])
        engine.reset()
        gc.collect()
        rss_before = resident_mb()
        started = time.perf_counter()
        index = engine.current_index()
        build_s = time.perf_counter() - started
        gc.collect()
        rss_index = resident_mb() - rss_before
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
        w(
            f"lists: {len(index)} entities, {index.name_count} names; index build {build_s:.2f} s,"
            f" process RSS +{rss_index:.0f} MB"
        )
        w(
            f"thresholds: organisations {match_threshold('organization'):.2f}, others"
            f" {match_threshold():.2f}; {len(queries)} names screened on one process"
        )
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
        self._real_pairs(options["split"], options["show_errors"])

    def _real_pairs(self, split: str, show_errors: int) -> None:
        w = self.stdout.write
        pairs = benchmark_pairs.read_pairs()
        chosen = [p for p in pairs if p.split == split]
        # The baseline gets its best cutoff on the dev half, as the matcher was tuned there.
        cutoff = benchmark_pairs.best_cutoff(
            [p for p in pairs if p.split == "dev"], benchmark_pairs.baseline_score
        )
        floor, match_at = search_bounds(match_thresholds())
        scores = benchmark_pairs.matcher_scores(chosen, floor=floor, match_at=match_at)
        scored = {id(p): s for p, s in zip(chosen, scores, strict=True)}
        ours, wrong = benchmark_pairs.evaluate(
            chosen, lambda p: scored[id(p)] >= match_threshold(p.entity_type)
        )
        base, _ = benchmark_pairs.evaluate(
            chosen, lambda p: benchmark_pairs.baseline_score(p) >= cutoff
        )
        w("")
        w(f"real name pairs, {split} half (tuning saw the dev half only)")
        w("| matcher | names | pairs (+/-) | precision | recall | F1 |")
        w("|---|---|---:|---:|---:|---:|")
        for label, table in (
            ("this matcher (its thresholds)", ours),
            (f"rapidfuzz WRatio (cutoff {cutoff:.2f}, best on dev)", base),
        ):
            for kind in ("organization", "person"):
                c = table[kind]
                w(
                    f"| {label} | {kind} | {c.tp + c.fn}/{c.fp + c.tn} | {c.precision:.3f} | "
                    f"{c.recall:.3f} | {c.f1:.3f} |"
                )
        for pair, predicted in wrong[:show_errors]:
            kind = "false hit" if predicted else "missed"
            w(f"{kind} [{pair.entity_type}] {pair.query!r} ~ {pair.listed!r} ({pair.source})")
        names = [n for s, _, n in benchmark_pairs.read_registry() if s == split]
        hits = [n for n in names if any(h.match for h in _screen_org(n))]
        w(
            f"false hits on real non-listed company names ({split}): {len(hits)}/{len(names)} "
            f"= {len(hits) / len(names):.2%} against every loaded list"
        )
        for name in hits[:show_errors]:
            w(f"false hit [registry] {name!r}")
        sample = names[:: max(1, len(names) // BASELINE_SAMPLE)][:BASELINE_SAMPLE]
        _, entities = selectors.watchlist_snapshot()
        listed = [utils.default_process(n) for e in entities for n in (e.primary_name, *e.aliases)]
        base_hits = sum(
            process.extractOne(
                utils.default_process(n), listed, scorer=fuzz.WRatio, score_cutoff=cutoff * 100
            )
            is not None
            for n in sample
        )
        w(
            f"rapidfuzz baseline at its cutoff, same lists: {base_hits}/{len(sample)} = "
            f"{base_hits / len(sample):.2%} of an evenly spaced sample of those names"
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


def _screen_org(name: str) -> list[ScreeningHit]:
    return screen_name(name=name, entity_type="organization")


def _screen(query: benchmark.LabelledName) -> list[ScreeningHit]:
    return screen_name(name=query.name, entity_type=query.entity_type)
