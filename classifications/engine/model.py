"""The industry classifier at inference time: load the artefact once, answer in milliseconds.

Method (numbers in README "Industry classification"):
1. NAICS: the input is a TF-IDF vector (stemmed unigrams + bigrams). Each 6-digit NAICS 2022 code
   is scored by a multinomial naive Bayes log-likelihood (TF-IDF-weighted counts of its documents:
   title, official definition, illustrative examples, Census index phrases) plus a weighted cosine
   to the centroid of its documents; a softmax with a fitted temperature gives a distribution.
2. SIC and MCC: the NAICS distribution is pushed through the crosswalks (SIC<->NAICS from the
   Census concordance, our own MCC<->NAICS crosswalk), blended with direct similarity to the SIC /
   MCC titles.
3. Confidence: each system's raw score goes through an isotonic map fitted on held-out index
   phrases, so a confidence of 0.8 means about 80% of such predictions were right on data the
   model never saw.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import scipy.sparse as sp

from .calibration import IsotonicMap
from .vectors import TfidfSpace

ARTEFACT_DIR = Path(__file__).resolve().parent / "artefact"
SYSTEMS = ("naics", "sic", "mcc")
FIELD_WEIGHTS = {"name": 0.6, "description": 1.0, "website_text": 0.7}
# Characters read per field: bounds the work per call; the opening of a page says what it sells.
TEXT_LIMIT = 20_000

# Businesses that onboard to a payments/KYB platform are mostly retailers and service firms, while
# the NAICS index is dominated by farming, mining, manufacturing and wholesale phrases ("dolls
# manufacturing", "toys merchant wholesalers"). Those sectors are down-weighted by a penalty fitted
# on the calibration split unless the input itself speaks of making, growing or distributing goods.
PRODUCER_SECTORS = frozenset({"11", "21", "31", "32", "33", "42"})
PRODUCER_CUES = re.compile(
    r"manufactur|factor(?:y|ies)|fabricat|wholesal|distribut|supplier|\bmills?\b|\bplants?\b|"
    r"produc|processing|refin|assembl|foundr|smelt|mining|\bmines?\b|quarr|farm|ranch|grow|"
    r"harvest|fishing|logging|oem\b|b2b",
    re.IGNORECASE,
)


def has_producer_cue(text: str) -> bool:
    """True when the text speaks of making, growing, extracting or distributing goods."""
    return bool(PRODUCER_CUES.search(text))


@dataclass(frozen=True, slots=True)
class CodePrediction:
    """One predicted code with its calibrated confidence."""

    code: str
    title: str
    confidence: float
    risk: str | None = None

    def as_dict(self, system: str) -> dict[str, Any]:
        """JSON form; MCC entries always carry the ``risk`` key."""
        out: dict[str, Any] = {
            "code": self.code,
            "title": self.title,
            "confidence": round(self.confidence, 4),
        }
        if system == "mcc":
            out["risk"] = self.risk
        return out


@dataclass(frozen=True)
class ClassificationResult:
    """Top-k codes per system, the evidence that drove them and the model that produced them."""

    naics: list[CodePrediction]
    sic: list[CodePrediction]
    mcc: list[CodePrediction]
    evidence: dict[str, Any]
    model_version: str
    versions: dict[str, str] = field(default_factory=dict)

    def codes(self, system: str) -> list[CodePrediction]:
        """The predictions of one system by name."""
        return list(getattr(self, system))

    def as_dict(self) -> dict[str, Any]:
        """The documented wire shape (CLI, REST API, stored evidence)."""
        return {
            "naics": [p.as_dict("naics") for p in self.naics],
            "sic": [p.as_dict("sic") for p in self.sic],
            "mcc": [p.as_dict("mcc") for p in self.mcc],
            "evidence": self.evidence,
            "model_version": self.model_version,
            "code_system_versions": self.versions,
        }


@dataclass
class SystemTable:
    """Codes of one system, their titles and (for SIC/MCC) the NAICS crosswalk and title vectors."""

    codes: list[str]
    titles: list[str]
    vectors: sp.csr_matrix | None = None  # direct title/description vectors (SIC, MCC)
    crosswalk: sp.csr_matrix | None = None  # n_naics x n_codes, rows sum to 1
    # Isotonic maps: [0] for the top-ranked code, [1] for ranks 2..k (their scores mean different
    # things: the runner-up's 0.3 is right less often than a winner's 0.3).
    calibration: list[IsotonicMap] = field(default_factory=list)
    risk: dict[str, str] = field(default_factory=dict)


@dataclass
class RawScores:
    """Scores of every code of every system for one query (before calibration)."""

    query: sp.csr_matrix
    surfaces: dict[int, tuple[str, str]]  # column -> (input wording, field)
    naics: np.ndarray
    doc_sims: np.ndarray
    sic: np.ndarray
    mcc: np.ndarray


class IndustryClassifier:
    """Loaded model: ``classify()`` is thread-safe and read-only."""

    def __init__(
        self,
        *,
        space: TfidfSpace,
        docs: sp.csr_matrix,
        doc_offsets: np.ndarray,
        doc_texts: list[str],
        centroids: sp.csr_matrix,
        nb_weights: sp.csr_matrix,
        nb_const: np.ndarray,
        tables: dict[str, SystemTable],
        params: dict[str, float],
        version: str,
    ) -> None:
        self.space = space
        self.docs = docs
        self.doc_offsets = doc_offsets
        self.doc_texts = doc_texts
        self.centroids = centroids
        self.nb_weights = nb_weights
        self.nb_const = nb_const
        self.producer_mask = np.array(
            [code[:2] in PRODUCER_SECTORS for code in tables["naics"].codes], dtype=np.float64
        )
        self.tables = tables
        self.params = params
        self.version = version

    # ---- scoring -------------------------------------------------------------------------
    def vectorize(
        self, *, name: str = "", description: str = "", website_text: str = ""
    ) -> tuple[sp.csr_matrix, dict[int, tuple[str, str]]]:
        """Weighted sum of the per-field vectors, renormalised; wording per feature column."""
        fields = {
            "name": name[:TEXT_LIMIT],
            "description": description[:TEXT_LIMIT],
            "website_text": website_text[:TEXT_LIMIT],
        }
        total: sp.csr_matrix | None = None
        surfaces: dict[int, tuple[str, str]] = {}
        for fname, text in fields.items():
            if not text or not text.strip():
                continue
            vec, surf = self.space.query(text)
            for col, s in surf.items():
                surfaces.setdefault(col, (s, fname))
            weighted = vec * FIELD_WEIGHTS[fname]
            total = weighted if total is None else total + weighted
        if total is None:
            return sp.csr_matrix((1, len(self.space.vocab)), dtype=np.float32), surfaces
        norm = float(np.sqrt(total.multiply(total).sum())) or 1.0
        return sp.csr_matrix(total / norm), surfaces

    def score(
        self,
        query: sp.csr_matrix,
        surfaces: dict[int, tuple[str, str]] | None = None,
        *,
        producer_cue: bool = True,
    ) -> RawScores:
        """Raw per-code scores of all three systems for one query vector.

        ``producer_cue=False`` (the input never mentions making or distributing goods) applies the
        fitted penalty to farming, mining, manufacturing and wholesale codes.
        """
        doc_sims = np.asarray((self.docs @ query.T).todense()).ravel()
        cent = np.asarray((self.centroids @ query.T).todense()).ravel()
        loglik = np.asarray((self.nb_weights @ query.T).todense()).ravel()
        loglik += self.nb_const * float(query.sum())
        raw = loglik + self.params["centroid_weight"] * cent
        if not producer_cue:
            raw -= self.params.get("producer_penalty", 0.0) * self.producer_mask
        naics = _softmax(raw / self.params["temperature"]) if query.nnz else np.zeros_like(raw)
        return RawScores(
            query=query,
            surfaces=surfaces or {},
            naics=naics,
            doc_sims=doc_sims,
            sic=self._derived("sic", naics, query),
            mcc=self._derived("mcc", naics, query),
        )

    def _derived(self, system: str, naics: np.ndarray, query: sp.csr_matrix) -> np.ndarray:
        table = self.tables[system]
        assert table.crosswalk is not None and table.vectors is not None
        via = np.asarray(table.crosswalk.T @ naics).ravel()
        direct = np.asarray((table.vectors @ query.T).todense()).ravel()
        beta = self.params[f"beta_{system}"]
        mixed = (
            via + beta * _softmax(direct / self.params["direct_temperature"]) if query.nnz else via
        )
        total = mixed.sum()
        return mixed / total if total > 0 else mixed

    # ---- the public call -----------------------------------------------------------------
    def classify(
        self, *, name: str = "", description: str = "", website_text: str = "", k: int = 5
    ) -> ClassificationResult:
        """Top-``k`` NAICS, SIC and MCC codes with calibrated confidence and evidence."""
        query, surfaces = self.vectorize(
            name=name, description=description, website_text=website_text
        )
        cue = has_producer_cue(" ".join(t[:TEXT_LIMIT] for t in (name, description, website_text)))
        raw = self.score(query, surfaces, producer_cue=cue)
        preds = {
            system: self._top(system, getattr(raw, system), k) if query.nnz else []
            for system in SYSTEMS
        }
        evidence = (
            self._evidence(raw, preds)
            if query.nnz
            else {"terms": [], "note": "no known words in the input"}
        )
        if query.nnz and not cue and self.params.get("producer_penalty", 0.0) > 0:
            evidence["notes"] = [
                "no wording about making or distributing goods: farming, mining, manufacturing "
                "and wholesale codes were down-weighted"
            ]
        return ClassificationResult(
            naics=preds["naics"],
            sic=preds["sic"],
            mcc=preds["mcc"],
            evidence=evidence,
            model_version=self.version,
            versions=dict(CODE_SYSTEM_VERSIONS),
        )

    def _top(self, system: str, probs: np.ndarray, k: int) -> list[CodePrediction]:
        table = self.tables[system]
        order = np.argsort(-probs, kind="stable")[:k]
        out: list[CodePrediction] = []
        for rank, i in enumerate(order):
            if probs[i] <= 0:
                break
            confidence = float(probs[i])
            if table.calibration:
                confidence = table.calibration[min(rank, len(table.calibration) - 1)](confidence)
            if out:  # a lower rank never shows more confidence than the one above it
                confidence = min(confidence, out[-1].confidence)
            out.append(
                CodePrediction(
                    table.codes[i], table.titles[i], confidence, table.risk.get(table.codes[i])
                )
            )
        return out

    # ---- evidence ------------------------------------------------------------------------
    def _terms(
        self,
        query: sp.csr_matrix,
        weights: sp.csr_matrix,
        surfaces: dict[int, tuple[str, str]],
        n: int = 6,
    ) -> list[dict[str, Any]]:
        contrib = query.multiply(weights).tocoo()
        ranked = sorted(
            zip(contrib.col.tolist(), contrib.data.tolist(), strict=True), key=lambda cv: -cv[1]
        )
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for col, val in ranked:
            text, fname = surfaces.get(col, (self.space.vocab[col], ""))
            if text in seen or val <= 0:
                continue
            seen.add(text)
            out.append({"text": text, "field": fname, "weight": round(float(val), 4)})
            if len(out) == n:
                break
        return out

    def _evidence(self, raw: RawScores, preds: dict[str, list[CodePrediction]]) -> dict[str, Any]:
        naics_table = self.tables["naics"]
        evidence: dict[str, Any] = {}
        if preds["naics"]:
            top = naics_table.codes.index(preds["naics"][0].code)
            start, end = int(self.doc_offsets[top]), int(self.doc_offsets[top + 1])
            doc = start + int(np.argmax(raw.doc_sims[start:end]))
            weights = self.nb_weights[top] + self.centroids[top] + self.docs[doc]
            evidence["naics"] = {
                "code": preds["naics"][0].code,
                "terms": self._terms(raw.query, weights, raw.surfaces),
                "matched_phrase": self.doc_texts[doc],
            }
        for system in ("sic", "mcc"):
            if not preds[system]:
                continue
            table = self.tables[system]
            assert table.vectors is not None and table.crosswalk is not None
            idx = table.codes.index(preds[system][0].code)
            column = np.asarray(table.crosswalk[:, idx].todense()).ravel() * raw.naics
            via = [naics_table.codes[i] for i in np.argsort(-column)[:3] if column[i] > 0]
            evidence[system] = {
                "code": preds[system][0].code,
                "terms": self._terms(raw.query, table.vectors[idx], raw.surfaces),
                "via_naics": via,
            }
        evidence["terms"] = evidence.get("naics", {}).get("terms", [])
        return evidence


CODE_SYSTEM_VERSIONS = {"naics": "NAICS 2022", "sic": "SIC 1987", "mcc": "ISO 18245"}


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return np.asarray(e / e.sum())


# ---- artefact I/O ------------------------------------------------------------------------
def _save_csr(arrays: dict[str, np.ndarray], name: str, m: sp.csr_matrix) -> None:
    m = sp.csr_matrix(m)
    arrays[f"{name}_data"] = m.data.astype(np.float32)
    arrays[f"{name}_indices"] = m.indices.astype(np.int32)
    arrays[f"{name}_indptr"] = m.indptr.astype(np.int64)
    arrays[f"{name}_shape"] = np.array(m.shape, dtype=np.int64)


def _load_csr(arrays: Any, name: str) -> sp.csr_matrix:
    shape = tuple(int(x) for x in arrays[f"{name}_shape"])
    return sp.csr_matrix(
        (arrays[f"{name}_data"], arrays[f"{name}_indices"], arrays[f"{name}_indptr"]), shape=shape
    )


def save(model: IndustryClassifier, directory: Path = ARTEFACT_DIR) -> None:
    """Write ``model.npz`` (matrices) and ``model.json`` (vocabulary, codes, params)."""
    directory.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {
        "idf": model.space.idf,
        "doc_offsets": model.doc_offsets.astype(np.int64),
    }
    _save_csr(arrays, "docs", model.docs)
    _save_csr(arrays, "centroids", model.centroids)
    _save_csr(arrays, "nb_weights", model.nb_weights)
    arrays["nb_const"] = model.nb_const.astype(np.float32)
    meta: dict[str, Any] = {
        "version": model.version,
        "params": model.params,
        "vocab": model.space.vocab,
        "doc_texts": model.doc_texts,
        "tables": {},
    }
    for system, table in model.tables.items():
        meta["tables"][system] = {
            "codes": table.codes,
            "titles": table.titles,
            "risk": table.risk,
            "calibration": [c.as_dict() for c in table.calibration],
        }
        if table.vectors is not None and table.crosswalk is not None:
            _save_csr(arrays, f"{system}_vectors", table.vectors)
            _save_csr(arrays, f"{system}_crosswalk", table.crosswalk)
    # Plain (uncompressed) npz entries keep the artefact byte-for-byte reproducible.
    with (directory / "model.npz").open("wb") as fh:
        np.savez(fh, **cast(dict[str, Any], arrays))
    (directory / "model.json").write_text(
        json.dumps(meta, sort_keys=True, separators=(",", ":")), encoding="utf-8"
    )


def load(directory: Path = ARTEFACT_DIR) -> IndustryClassifier:
    """Read an artefact written by ``save``."""
    meta = json.loads((directory / "model.json").read_text(encoding="utf-8"))
    with np.load(directory / "model.npz") as arrays:
        tables: dict[str, SystemTable] = {}
        for system, t in meta["tables"].items():
            has_vectors = f"{system}_vectors_shape" in arrays.files
            tables[system] = SystemTable(
                codes=t["codes"],
                titles=t["titles"],
                risk=t["risk"],
                calibration=[IsotonicMap.from_dict(c) for c in t["calibration"]],
                vectors=_load_csr(arrays, f"{system}_vectors") if has_vectors else None,
                crosswalk=_load_csr(arrays, f"{system}_crosswalk") if has_vectors else None,
            )
        return IndustryClassifier(
            space=TfidfSpace(meta["vocab"], arrays["idf"]),
            docs=_load_csr(arrays, "docs"),
            doc_offsets=arrays["doc_offsets"],
            doc_texts=meta["doc_texts"],
            centroids=_load_csr(arrays, "centroids"),
            nb_weights=_load_csr(arrays, "nb_weights"),
            nb_const=arrays["nb_const"],
            tables=tables,
            params=meta["params"],
            version=meta["version"],
        )
