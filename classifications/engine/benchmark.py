"""Benchmark of the shipped classifier (``manage.py bench_classify``).

Labelled sets, all public and documented in ``data/benchmark/README.md`` and ``NAMES.md``:
- ``index-test``: the 15% test split of the Census NAICS 2022 index phrases (never indexed, never
  used for calibration). SIC labels come from the Census SIC<->NAICS concordance (any SIC mapped to
  the phrase's NAICS code counts as right); MCC labels from our crosswalk, so MCC figures on this
  set measure agreement with the crosswalk, not ground truth.
- ``merchant-dev (seen)``: MCC descriptions with hand-reviewed NAICS codes, the dev set the
  confidence maps were fitted on (with the calibration phrases): shown to compare, not a hold-out.
- ``real-world``: 50 businesses described in everyday words (not index phrases), hand-labelled with
  NAICS, SIC and MCC.
- ``everyday-test``: the hold-out half of 1,201 fictional businesses described as their owners
  would (``everyday_businesses.csv``), labelled NAICS, SIC and MCC; ``everyday-dev (seen)`` is the
  half the build chooses the blend and fits the confidence maps on.
- ``names-test``: real UK registrant names alone (Companies House sample) with the UK SIC 2007
  divisions they filed; the model's NAICS distribution is carried to UK SIC divisions through a
  text crosswalk (each UK SIC subclass title classified by the model). ``names-dev`` is the half
  that was looked at while tuning the names-only rules.
Baseline: always answer the most frequent code(s) of the training phrases (names: of names-dev).
"""

from __future__ import annotations

import csv
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from . import splits
from .benchmark_names import NamesTally, format_names, run_names
from .build import (
    GoldMaps,
    everyday_gold,
    gold_maps,
    gold_sets,
    merchant_dev_cases,
    naics_documents,
)
from .calibration import ece_noise, expected_calibration_error, reliability_table
from .model import IndustryClassifier, sector
from .sources import DATA_DIR

LEVELS = {"naics": (2, 4, 6), "sic": (2, 4), "mcc": (4,)}
NAMES_SPLITS: tuple[splits.NamesSplit, ...] = ("names-test", "names-dev")
SECTOR = 0  # pseudo-level: the NAICS sector (31-33, 44-45 and 48-49 count as one)


@dataclass
class Case:
    """One labelled business: the input fields and the acceptable codes per system."""

    name: str
    description: str
    gold: dict[str, set[str]]


@dataclass
class Tally:
    """Hit counts of one method on one set."""

    n: dict[str, int] = field(default_factory=Counter)
    hits: dict[tuple[str, int, int], int] = field(default_factory=Counter)  # (system, level, k)
    conf: dict[str, list[float]] = field(default_factory=dict)
    right: dict[str, list[bool]] = field(default_factory=dict)

    def add(
        self, system: str, predicted: Sequence[str], gold: set[str], confidence: float | None
    ) -> None:
        """Count one case's top-k hits at every level; keep top-1 confidence for the ECE."""
        self.n[system] += 1
        for level in LEVELS[system]:
            prefixes = {g[:level] for g in gold}
            for k in (1, 3):
                if any(p[:level] in prefixes for p in predicted[:k]):
                    self.hits[(system, level, k)] += 1
        if system == "naics":
            sectors = {sector(g) for g in gold}
            for k in (1, 3):
                if any(sector(p) in sectors for p in predicted[:k]):
                    self.hits[(system, SECTOR, k)] += 1
        if confidence is not None and predicted:
            self.conf.setdefault(system, []).append(confidence)
            self.right.setdefault(system, []).append(predicted[0] in gold)

    def accuracy(self, system: str, level: int, k: int) -> float:
        """Share of cases with a right code in the top ``k`` at ``level`` digits."""
        return self.hits[(system, level, k)] / self.n[system] if self.n[system] else float("nan")


def index_test_cases(maps: GoldMaps) -> list[Case]:
    """The held-out index phrases as cases."""
    return [Case("", phrase, gold_sets(code, maps)) for code, phrase in splits.phrases("test")]


def real_world_cases() -> list[Case]:
    """The hand-labelled everyday descriptions."""
    with (DATA_DIR / "benchmark" / "real_world_businesses.csv").open(
        newline="", encoding="utf-8"
    ) as fh:
        return [
            Case(
                r["name"],
                r["description"],
                {"naics": {r["naics"]}, "sic": {r["sic"]}, "mcc": {r["mcc"]}},
            )
            for r in csv.DictReader(fh)
        ]


def everyday_cases(split: splits.EverydaySplit, maps: GoldMaps) -> list[Case]:
    """One half of the everyday-wording set (``everyday_businesses.csv``). A SIC or MCC counts
    as right when it is the label or a concordance / crosswalk partner of the NAICS label, the
    rule of the index phrases (``build.everyday_gold``)."""
    return [
        Case(b.name, b.description, everyday_gold(b.naics, b.sic, b.mcc, maps))
        for b in splits.everyday(split)
    ]


def merchant_dev_set(maps: GoldMaps) -> list[Case]:
    """The merchant-wording calibration dev set (seen while tuning: reported, never a target)."""
    seen = {t.lower() for _, t in naics_documents()}
    return [
        Case("", text, {"naics": gold["naics"], "sic": gold["sic"], "mcc": set()})
        for text, gold in merchant_dev_cases(maps, seen)
    ]


def baseline_codes(maps: GoldMaps) -> dict[str, list[str]]:
    """The three most frequent codes per system over the training phrases."""
    counts: dict[str, Counter[str]] = {s: Counter() for s in LEVELS}
    for code, _ in splits.phrases("train"):
        for system, gold in gold_sets(code, maps).items():
            counts[system].update(gold)
    return {s: [c for c, _ in counts[s].most_common(3)] for s in LEVELS}


@dataclass
class Report:
    """Everything ``bench_classify`` prints."""

    sets: dict[str, tuple[Tally, Tally, int]]  # name -> (model, baseline, cases)
    latency_ms: list[float]
    cpu_ms: list[float]
    model_version: str
    reliability: list[tuple[str, int, float, float]]
    names: dict[str, tuple[NamesTally, list[str]]] = field(default_factory=dict)


def run(
    model: IndustryClassifier,
    *,
    limit: int | None = None,
    progress: Callable[[str], None] | None = None,
    names: bool = True,
) -> Report:
    """Evaluate on every set; ``limit`` caps the index-test cases (for a quick run)."""
    maps = gold_maps()
    base = baseline_codes(maps)
    sets = {
        "index-test": index_test_cases(maps)[:limit],
        "real-world": real_world_cases(),
        "everyday-test": everyday_cases("everyday-test", maps),
        "everyday-dev (seen)": everyday_cases("everyday-dev", maps),
        "merchant-dev (seen)": merchant_dev_set(maps),
    }
    out: dict[str, tuple[Tally, Tally, int]] = {}
    latency: list[float] = []
    cpu: list[float] = []
    for set_name, cases in sets.items():
        mine, trivial = Tally(), Tally()
        for i, case in enumerate(cases):
            start, start_cpu = time.perf_counter(), time.thread_time()
            result = model.classify(name=case.name, description=case.description, k=5)
            latency.append((time.perf_counter() - start) * 1000)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            for system in LEVELS:
                if not case.gold[system]:
                    continue
                preds = result.codes(system)
                mine.add(
                    system,
                    [p.code for p in preds],
                    case.gold[system],
                    preds[0].confidence if preds else None,
                )
                trivial.add(system, base[system], case.gold[system], None)
            if progress and i and i % 500 == 0:
                progress(f"{set_name}: {i}/{len(cases)}")
        out[set_name] = (mine, trivial, len(cases))
    index_tally = out["index-test"][0]
    reliability = reliability_table(
        index_tally.conf.get("naics", []), index_tally.right.get("naics", [])
    )
    names_out: dict[str, tuple[NamesTally, list[str]]] = {}
    for split in NAMES_SPLITS if names else ():
        names_out[split] = run_names(model, split)
    return Report(
        sets=out,
        latency_ms=latency,
        cpu_ms=cpu,
        model_version=model.version,
        reliability=reliability,
        names=names_out,
    )


def _pct(x: float) -> str:
    """A share as a percentage with two decimals: the goals sit at whole numbers, and one decimal
    printed 2,077 of 2,309 (89.95 %) as "90.0"."""
    return f"{100 * x:.2f}"


def format_report(report: Report) -> str:
    """Markdown tables: the headline figures, accuracy per set, system, level; ECE; names only;
    latency."""
    lines = [
        f"model `{report.model_version}`",
        "",
        "| set | n | NAICS-6 top-1 | NAICS-6 top-3 | NAICS-4 top-1 | sector top-1 "
        "| ECE (NAICS top-1) |",
        "|---|---|---|---|---|---|---|",
    ]
    for set_name, (mine, _, n) in report.sets.items():
        ece = expected_calibration_error(mine.conf.get("naics", []), mine.right.get("naics", []))
        lines.append(
            f"| {set_name} | {n} | {_pct(mine.accuracy('naics', 6, 1))} | "
            f"{_pct(mine.accuracy('naics', 6, 3))} | {_pct(mine.accuracy('naics', 4, 1))} | "
            f"{_pct(mine.accuracy('naics', SECTOR, 1))} | {ece:.3f} |"
        )
    lines += [""]
    columns = ["NAICS-2", "NAICS-4", "NAICS-6", "SIC-2", "SIC-4", "MCC"]
    header = "| set | n | method | " + " | ".join(f"{c} top1/top3" for c in columns) + " |"
    lines += [header, "|---|---|---|---|---|---|---|---|---|"]
    for set_name, (mine, trivial, n) in report.sets.items():
        for label, tally in (("model", mine), ("baseline: most frequent", trivial)):
            cells = [
                f"{_pct(tally.accuracy(s, lvl, 1))} / {_pct(tally.accuracy(s, lvl, 3))}"
                for s, lvl in (
                    ("naics", 2),
                    ("naics", 4),
                    ("naics", 6),
                    ("sic", 2),
                    ("sic", 4),
                    ("mcc", 4),
                )
            ]
            lines.append(f"| {set_name} | {n} | {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "ECE of top-1 confidence (10 bins), and in brackets what a perfectly calibrated model "
        "with the same confidences would show on a set this size (median / 95th percentile of "
        "2,000 draws) and p, the share of those draws at or above the observed ECE ((k + 1) / "
        "(draws + 1)): a small p is real miscalibration, a large one is the set's sampling noise.",
        "",
        "| set | n | ECE NAICS top-1 | ECE SIC top-1 | ECE MCC top-1 |",
        "|---|---|---|---|---|",
    ]
    for set_name, (mine, _, n) in report.sets.items():
        eces = []
        for s in LEVELS:
            conf, right = mine.conf.get(s, []), mine.right.get(s, [])
            if not conf:
                eces.append("-")
                continue
            noise = ece_noise(conf, right)
            eces.append(
                f"{expected_calibration_error(conf, right):.3f} "
                f"({noise.median:.3f} / {noise.p95:.3f}, p {noise.p_value:.2f})"
            )
        lines.append(f"| {set_name} | {n} | " + " | ".join(eces) + " |")
    lines += [
        "",
        "Reliability of NAICS top-1 confidence on index-test:",
        "",
        "| confidence | n | mean confidence | accuracy |",
        "|---|---|---|---|",
    ]
    lines += [f"| {b} | {n} | {c:.2f} | {a:.2f} |" for b, n, c, a in report.reliability]
    lines += format_names(report.names) if report.names else []
    lat = sorted(report.latency_ms)
    p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
    lines += [
        "",
        "latency per business (classify, k=5, with evidence, one CPU thread): "
        f"median {statistics.median(lat):.2f} ms, p95 {p95:.2f} ms over {len(lat)} calls; "
        f"thread CPU time median {statistics.median(report.cpu_ms):.2f} ms",
    ]
    return "\n".join(lines)
