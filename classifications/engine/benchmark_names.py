"""The names-only part of the benchmark: real registrant names, their filed UK SIC 2007 codes.

The classifier speaks NAICS 2022; the names carry UK SIC 2007 (NACE-based). Predictions are carried
across by a text crosswalk built here: every UK SIC 2007 subclass title is classified by the model,
and its division receives the NAICS codes within a quarter of the best probability. A name is
right at top-k when one of its k most probable divisions is one it filed.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .model import NAMES_UNKNOWN_BELOW, IndustryClassifier
from .sources import DATA_DIR
from .splits import NamesSplit, names_split_of

# UK SIC 2007 codes that name no activity (Companies House's "99999 Dormant Company" and "74990
# Non-trading company"): no name is labelled with them, and no crosswalk column is built from
# them. "Dormant Company", classified as a title, spread over a hundred NAICS codes; every one that
# no real subclass picked went wholly to division 99 (extraterritorial organisations), which then
# topped the answer for any name with little to read ("01 DIGITAL LIMITED").
NOT_AN_INDUSTRY = frozenset({"99999", "74990"})


@dataclass(frozen=True)
class NameCase:
    """One registered company: its name and the UK SIC 2007 divisions it filed."""

    number: str
    name: str
    divisions: frozenset[str]


def name_cases(split: NamesSplit) -> list[NameCase]:
    """Companies of one half with at least one real 5-digit UK SIC 2007 code."""
    out: list[NameCase] = []
    path = DATA_DIR / "benchmark" / "companies_house_names.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            codes = [c.split(" - ")[0].strip() for c in row["sic_codes"].split(" | ")]
            divisions = frozenset(
                c[:2] for c in codes if len(c) == 5 and c.isdigit() and c not in NOT_AN_INDUSTRY
            )
            if divisions and names_split_of(row["company_number"]) == split:
                out.append(NameCase(row["company_number"], row["name"], divisions))
    return out


def uk_division_crosswalk(model: IndustryClassifier) -> tuple[sp.csr_matrix, list[str]]:
    """n_naics x n_divisions matrix (rows sum to 1 where mapped) and the division codes."""
    with (DATA_DIR / "uk_sic2007_subclasses.csv").open(newline="", encoding="utf-8") as fh:
        subclasses = [
            (r["division"], r["title"])
            for r in csv.DictReader(fh)
            if r["sic2007"] not in NOT_AN_INDUSTRY
        ]
    divisions = sorted({d for d, _ in subclasses})
    col = {d: i for i, d in enumerate(divisions)}
    n = len(model.tables["naics"].codes)
    m = np.zeros((n, len(divisions)))
    for division, title in subclasses:
        probs = model.score(model.query(title)).naics
        best = float(probs.max())
        for i in np.flatnonzero(probs >= 0.25 * best):
            m[i, col[division]] += probs[i]
    sums = m.sum(axis=1, keepdims=True)
    sums[sums == 0] = 1.0
    return sp.csr_matrix(m / sums), divisions


@dataclass
class NamesTally:
    """Hits of the model and the baseline on one half of the names set."""

    n: int = 0
    hits: Counter[str] = field(default_factory=Counter)
    answered: int = 0
    answered_right: int = 0
    confidence: list[float] = field(default_factory=list)

    def share(self, key: str) -> float:
        """Share of names with a hit of kind ``key``."""
        return self.hits[key] / self.n if self.n else float("nan")


def run_names(model: IndustryClassifier, split: NamesSplit) -> tuple[NamesTally, list[str]]:
    """Division top-1/top-3 of the model and of the most-frequent-division baseline."""
    crosswalk, divisions = uk_division_crosswalk(model)
    frequent = Counter(d for c in name_cases("names-dev") for d in sorted(c.divisions))
    baseline = [d for d, _ in frequent.most_common(3)]
    tally = NamesTally()
    for case in name_cases(split):
        tally.n += 1
        query = model.encode(name=case.name)
        naics = model.score(query).naics
        mass = np.asarray(crosswalk.T @ naics).ravel()
        top = [divisions[i] for i in np.argsort(-mass, kind="stable")[:3] if mass[i] > 0]
        result = model.classify(name=case.name, k=1)
        right = bool(top) and top[0] in case.divisions
        tally.hits["top1"] += right
        tally.hits["top3"] += any(d in case.divisions for d in top)
        tally.hits["base1"] += baseline[0] in case.divisions
        tally.hits["base3"] += any(d in case.divisions for d in baseline)
        if result.naics:
            tally.confidence.append(result.naics[0].confidence)
        if not result.unknown:
            tally.answered += 1
            tally.answered_right += right
    return tally, baseline


def format_names(tallies: dict[str, tuple[NamesTally, list[str]]]) -> list[str]:
    """Markdown lines for the names-only table."""
    lines = [
        "",
        "Names only (UK SIC 2007 division, 2 digits; % of names):",
        "",
        "| set | n | model top-1 / top-3 | baseline: most frequent top-1 / top-3 | answered "
        f"(top NAICS confidence >= {NAMES_UNKNOWN_BELOW}) | top-1 when answered "
        "| mean confidence |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, (t, base) in tallies.items():
        answered = t.answered / t.n if t.n else float("nan")
        when = t.answered_right / t.answered if t.answered else float("nan")
        mean_conf = float(np.mean(t.confidence)) if t.confidence else float("nan")
        lines.append(
            f"| {name} | {t.n} | {100 * t.share('top1'):.1f} / {100 * t.share('top3'):.1f} | "
            f"{100 * t.share('base1'):.1f} / {100 * t.share('base3'):.1f} "
            f"({', '.join(base)}) | {100 * answered:.1f}% | {100 * when:.1f} | {mean_conf:.2f} |"
        )
    return lines
