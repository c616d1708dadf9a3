"""Our MCC <-> NAICS 2022 / SIC 1987 crosswalk (no free authoritative one exists).

Built in four steps, each edge keeping the method that produced it (``data/CROSSWALK.md``):
1. ``reviewed``: hand-reviewed pairs in ``data/mcc_naics_reviewed.csv``. An MCC or NAICS code that
   has reviewed pairs takes no derived pair.
2. ``same-number-sic``: MCCs whose number is a SIC code with overlapping titles (Jaccard >= 0.25 in
   ``mcc_to_sic_same_number_DERIVED.csv``), mapped to NAICS through the Census SIC concordance.
3. ``text:mcc->naics``: the NAICS classifier run on each MCC's published descriptions; the top codes
   within a quarter of the best probability are kept, weighted by probability.
4. ``text:naics->mcc``: a NAICS code still without an MCC gets the MCC whose descriptions are most
   similar to its documents, when that similarity reaches ``NAICS_TO_MCC_MIN_SIMILARITY``.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from .sources import DATA_DIR, sic_to_naics2022

if TYPE_CHECKING:
    from .model import IndustryClassifier

CROSSWALK_FILE = "mcc_naics_crosswalk.csv"
MCC_SIC_FILE = "mcc_sic_crosswalk.csv"
SAME_NUMBER_MIN_JACCARD = 0.25
# Below this cosine the "most similar MCC" of an unmapped NAICS code is usually unrelated (e.g. an
# ammunition plant -> stored value cards); such industries are better left without an MCC edge.
NAICS_TO_MCC_MIN_SIMILARITY = 0.18


@dataclass(frozen=True, slots=True)
class Edge:
    """One MCC <-> NAICS pair with its weight (share of the NAICS code's mass) and provenance."""

    mcc: str
    naics: str
    weight: float
    method: str


@cache
def sic_for_naics() -> dict[str, set[str]]:
    """NAICS 2022 -> SIC codes (reverse of the derived Census concordance)."""
    out: dict[str, set[str]] = defaultdict(set)
    for sic, naics in sic_to_naics2022():
        out[naics].add(sic)
    return dict(out)


def _naics_for_sic() -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for sic, naics in sic_to_naics2022():
        out[sic].add(naics)
    return out


def _read(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def same_number_sic() -> dict[str, str]:
    """MCC -> SIC of the same number whose titles overlap enough to be the same activity."""
    return {
        r["mcc"].zfill(4): r["sic1987"].zfill(4)
        for r in _read("mcc_to_sic_same_number_DERIVED.csv")
        if float(r["title_token_jaccard"] or 0) >= SAME_NUMBER_MIN_JACCARD
    }


def build_mcc_naics(model: IndustryClassifier, mcc_text: dict[str, str]) -> list[Edge]:
    """All crosswalk edges, reviewed first, in a stable order."""
    naics_codes = model.tables["naics"].codes
    edges = [
        Edge(r["mcc"], r["naics2022"], 1.0, "reviewed") for r in _read("mcc_naics_reviewed.csv")
    ]
    locked_mcc = {e.mcc for e in edges}
    locked_naics = {e.naics for e in edges}

    def add(mcc: str, naics: str, weight: float, method: str) -> None:
        if mcc not in locked_mcc and naics not in locked_naics and mcc in mcc_text:
            edges.append(Edge(mcc, naics, round(weight, 4), method))

    naics_for_sic = _naics_for_sic()
    for mcc, sic in sorted(same_number_sic().items()):
        targets = sorted(naics_for_sic.get(sic, set()))
        for n in targets:
            add(mcc, n, 1.0 / len(targets), "same-number-sic")
    covered = {e.mcc for e in edges}
    for mcc, text in mcc_text.items():
        if mcc in covered:
            continue
        # MCC titles rarely say "wholesale" even for wholesale MCCs (50xx/51xx): no penalty here.
        query = model.query(text)
        query.producer_cue = True
        probs = model.score(query).naics
        order = np.argsort(-probs, kind="stable")[:3]
        keep = [i for i in order if probs[i] >= 0.25 * probs[order[0]] and probs[i] > 0]
        total = float(sum(probs[i] for i in keep)) or 1.0
        for i in keep:
            add(mcc, naics_codes[i], float(probs[i]) / total, "text:mcc->naics")
    mapped = {e.naics for e in edges}
    mcc_table = model.tables["mcc"]
    assert mcc_table.vectors is not None
    for i, naics in enumerate(naics_codes):
        if naics in mapped:
            continue
        sims = np.asarray((mcc_table.vectors @ model.centroids[i].T).todense()).ravel()
        best = int(np.argmax(sims))
        if sims[best] >= NAICS_TO_MCC_MIN_SIMILARITY:
            add(mcc_table.codes[best], naics, 1.0, "text:naics->mcc")
    return sorted(edges, key=lambda e: (e.mcc, e.naics))


def mcc_sic_edges(edges: list[Edge]) -> list[tuple[str, str, str]]:
    """(MCC, SIC, method): same-number SICs plus the SICs of each MCC's NAICS codes."""
    out: dict[tuple[str, str], str] = {}
    for mcc, sic in same_number_sic().items():
        out[(mcc, sic)] = "same-number-sic"
    sics = sic_for_naics()
    for e in edges:
        for sic in sics.get(e.naics, ()):
            out.setdefault((e.mcc, sic), f"via-naics:{e.method}")
    return sorted((m, s, method) for (m, s), method in out.items())


def write_crosswalks(edges: list[Edge]) -> None:
    """Write ``mcc_naics_crosswalk.csv`` and ``mcc_sic_crosswalk.csv`` into the data folder."""
    with (DATA_DIR / CROSSWALK_FILE).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["mcc", "naics2022", "weight", "method"])
        w.writerows([e.mcc, e.naics, f"{e.weight:.4f}", e.method] for e in edges)
    with (DATA_DIR / MCC_SIC_FILE).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["mcc", "sic1987", "method"])
        w.writerows(mcc_sic_edges(edges))


def read_crosswalk() -> list[Edge]:
    """The shipped MCC <-> NAICS crosswalk."""
    return [
        Edge(r["mcc"], r["naics2022"], float(r["weight"]), r["method"])
        for r in _read(CROSSWALK_FILE)
    ]


def mcc_for_naics(edges: list[Edge] | None = None) -> dict[str, set[str]]:
    """NAICS -> MCCs of the crosswalk (the shipped file unless edges are given)."""
    out: dict[str, set[str]] = defaultdict(set)
    for e in edges if edges is not None else read_crosswalk():
        out[e.naics].add(e.mcc)
    return dict(out)
