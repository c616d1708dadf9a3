"""The industry classifier at inference time: load the artefact once, answer in milliseconds.

Method (numbers in docs/classification.md):
1. NAICS: an ensemble of two linear models fitted with scikit-learn at build time (weights stored
   sparse; serving needs only numpy, see sparse.py): (a) multinomial naive Bayes on TF-IDF of
   stemmed unigrams + bigrams plus a weighted cosine to each code's centroid; (b) a linear
   classifier (SGD, modified Huber loss) on TF-IDF of words and character 3-5-grams. Their
   log-softmaxes are averaged, then decoded hierarchy-aware: each code gains the log-probability
   of its sector, so the 6-digit answer agrees with the sector the evidence favours.
2. SIC and MCC: the NAICS distribution is pushed through the crosswalks (SIC<->NAICS from the
   Census concordance, our own MCC<->NAICS crosswalk), blended with direct similarity to the SIC /
   MCC titles.
3. Confidence: each system's raw score goes through an isotonic map fitted on held-out index
   phrases and merchant wording (MCC descriptions with reviewed NAICS codes), so a confidence of
   0.8 means about 80% of such predictions were right on data the model had not seen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import numpy as np

from .calibration import IsotonicMap
from .names import NameReader, load_idioms, title_stems
from .sparse import Columns, Csr, Matrix, as_csr, row_at, row_max, segment_ids
from .text import CompoundSplitter, linear_feature_list
from .vectors import Texts, TfidfSpace

ARTEFACT_DIR = Path(__file__).resolve().parent / "artefact"
SYSTEMS = ("naics", "sic", "mcc")
FIELD_WEIGHTS = {"name": 0.6, "description": 1.0, "website_title": 0.9, "website_text": 0.7}
FIELDS = tuple(FIELD_WEIGHTS)
# NAICS sectors that span several 2-digit codes (manufacturing, retail, transportation).
SECTOR_OF = {"31": "31", "32": "31", "33": "31", "44": "44", "45": "44", "48": "48", "49": "48"}


def sector(code: str) -> str:
    """The NAICS sector of a code (``31``-``33`` -> ``31``)."""
    return SECTOR_OF.get(code[:2], code[:2])


# Names-only behaviour, chosen on the names-dev half of the names set (never on names-test; see
# docs/classification.md): calibrated confidences are scaled down to what names alone support,
# and a name whose best NAICS confidence stays below the threshold is ``industry_unknown``.
NAMES_CONFIDENCE_SCALE = 0.4
NAMES_UNKNOWN_BELOW = 0.15
# A description (with any website text) of this many words or more is read as a sentence, not a
# phrase: where the build fitted separate confidence maps for such text (SIC, since 2026-12-03),
# they apply. One curve could not fit both: the SIC scores of an owner's sentences and of an index
# phrase are right at different rates (docs/classification.md).
LONG_TEXT_WORDS = 10
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


# A name alone is a registered business's name, and a business is not a government body: public
# administration codes (NAICS 92) are left out of a names-only answer unless the name says it is
# one ("Northgate Parish Council", "Department of ..."). Read word by word, "Health", "Education"
# or "Communications" had picked the administration of health, education or communications
# programmes. The cues are phrases where company names use the bare word: "... Court Management
# Ltd" (a block of flats), "Public Limited Company", "Travel Agency", "First Federal Savings".
PUBLIC_CODES = {
    "naics": re.compile(r"92"),  # Public Administration
    "sic": re.compile(r"9[1-7]"),  # Division J, Public Administration
    # court costs, fines, bail, taxes, government services, embassy fees, postal, state lotteries
    "mcc": re.compile(r"92(11|22|23)|93(11|99)|940[0256]"),
}
PUBLIC_BODY_CUES = re.compile(
    r"\b(?:council|borough of|parish of|city of|town of|village of|county of|state of|township|"
    r"department of|dept of|ministry|government|municipal|municipality|school district|"
    r"board of education|port authority|housing authority|local authority|transit authority|"
    r"revenue service|hm revenue|police|commission|bureau of|office of|magistrates|crown court|"
    r"supreme court|district court|county court)\b",
    re.IGNORECASE,
)


def map_slot(rank: int, long_text: bool) -> int:
    """The slot of a four-map table that the code at ``rank`` (0 = top) is calibrated with: the
    top code's map or the runner-ups', of the long-text pair for long text. The build fits the
    maps into these slots (``build.calibrate``)."""
    return min(rank, 1) + 2 * long_text


def map_index(table: SystemTable, rank: int, long_text: bool) -> int:
    """Which of ``table.calibration`` applies to the code at ``rank`` of a query: its
    ``map_slot`` when the table has the long-text pair, else the top or runner-up map."""
    n = len(table.calibration)
    return map_slot(rank, long_text) if n == 4 else min(rank, 1, n - 1)


def is_public_code(system: str, code: str) -> bool:
    """True for a public administration code of ``system`` (``PUBLIC_CODES``)."""
    return bool(PUBLIC_CODES[system].match(code))


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
    # True when the input says too little to name an industry (no known word, or a name alone
    # with weak cues): the codes, if any, are low-confidence guesses.
    unknown: bool = False

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
            "industry_unknown": self.unknown,
        }


@dataclass
class SystemTable:
    """Codes of one system, their titles and (for SIC/MCC) the NAICS crosswalk and title vectors."""

    codes: list[str]
    titles: list[str]
    vectors: Matrix | None = None  # direct title/description vectors (SIC, MCC)
    crosswalk: Matrix | None = None  # n_naics x n_codes, rows sum to 1
    # Isotonic maps: [0] for the top-ranked code, [1] for ranks 2..k (their scores mean different
    # things: the runner-up's 0.3 is right less often than a winner's 0.3); where a system has
    # four, [2] and [3] are the same for text of ``LONG_TEXT_WORDS`` words or more (``map_index``).
    calibration: list[IsotonicMap] = field(default_factory=list)
    risk: dict[str, str] = field(default_factory=dict)


@dataclass
class Query:
    """One business as the models see it: a word vector, a word+character vector and cues."""

    words: Csr
    chars: Csr
    surfaces: dict[int, tuple[str, str]] = field(default_factory=dict)  # column -> wording, field
    producer_cue: bool = True
    names_only: bool = False
    # Names only: the name says it is a public body (``PUBLIC_BODY_CUES``).
    public_body: bool = True
    # The description and website text hold ``LONG_TEXT_WORDS`` words or more.
    long_text: bool = False
    # Name idioms read (names only): the name's words -> the code wording they were read as.
    idioms: tuple[tuple[str, str], ...] = ()

    @property
    def empty(self) -> bool:
        """No known word in any field."""
        return not self.words.nnz and not self.chars.nnz


@dataclass
class LinearModel:
    """A linear classifier over the word+character space: ``coef @ x + intercept``."""

    space: TfidfSpace
    # n_naics x n_features, small weights pruned: CSR while built; once loaded, the Columns
    # serving reads (one copy of the weights).
    coef: Matrix | Columns
    intercept: np.ndarray


@dataclass
class RawScores:
    """Scores of every code of every system for one query (before calibration)."""

    query: Csr
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
        docs: Matrix,
        doc_offsets: np.ndarray,
        doc_texts: Sequence[str],
        centroids: Matrix,
        nb_weights: Matrix,
        nb_const: np.ndarray,
        tables: dict[str, SystemTable],
        params: dict[str, float],
        version: str,
        linear: LinearModel | None = None,
    ) -> None:
        self.space = space
        self.linear = linear
        self.docs = docs
        self.doc_offsets = doc_offsets
        self.doc_texts = Texts(doc_texts)  # 19,000 phrases: one string, not 19,000 objects
        self.centroids = centroids
        self.nb_weights = nb_weights
        self.nb_const = nb_const
        self.producer_mask = np.array(
            [code[:2] in PRODUCER_SECTORS for code in tables["naics"].codes], dtype=np.float64
        )
        self.public_masks = {
            system: np.array([is_public_code(system, code) for code in table.codes])
            for system, table in tables.items()
        }
        self.tables = tables
        self.params = params
        self.version = version
        self._partner_cache: dict[str, tuple[np.ndarray, ...]] = {}
        self.compounds = CompoundSplitter(space.vocab, space.idf)
        for m in (docs, centroids, nb_weights):
            m.sort_indices()
        self._docs_cols = Columns(docs)
        self._centroid_cols = Columns(centroids)
        self._nb_cols = Columns(nb_weights)
        self._linear_cols = Columns(linear.coef) if linear is not None else None
        self._vector_cols = {
            name: Columns(t.vectors) for name, t in tables.items() if t.vectors is not None
        }
        for t in tables.values():
            if t.vectors is not None:
                t.vectors.sort_indices()
        sectors = [sector(code) for code in tables["naics"].codes]
        names = sorted(set(sectors))
        self.sector_index = np.array([names.index(x) for x in sectors], dtype=np.int64)

    @cached_property
    def names(self) -> NameReader:
        """The names-only reader, built on the first name-only business: stemming every code
        title is a quarter of the artefact's load time (110 of 420 ms), and most processes
        classify descriptions."""
        titles = (t for table in self.tables.values() for t in table.titles)
        return NameReader(load_idioms(), title_stems(titles))

    # ---- scoring -------------------------------------------------------------------------
    def _combine(
        self, space: TfidfSpace, fields: dict[str, str], surfaces: dict[int, tuple[str, str]] | None
    ) -> Csr:
        """Weighted sum of the per-field vectors of one space, renormalised."""
        total: dict[int, float] = {}
        for fname, text in fields.items():
            vec, surf = space.weights(text, surfaces=surfaces is not None)
            if surfaces is not None:
                for col, wording in surf.items():
                    surfaces.setdefault(col, (wording, fname))
            weight = FIELD_WEIGHTS[fname]
            for col, val in vec.items():
                total[col] = total.get(col, 0.0) + weight * val
        cols = sorted(total)
        vals = np.array([total[c] for c in cols], dtype=np.float32)
        norm = float(np.sqrt(np.dot(vals, vals))) or 1.0
        return Csr.row(np.array(cols, dtype=np.int32), vals / norm, len(space.vocab))

    def encode(
        self,
        *,
        name: str = "",
        description: str = "",
        website_title: str = "",
        website_text: str = "",
    ) -> Query:
        """The query vectors of one business (empty fields are ignored). A name that is all the
        input says is read through ``names.NameReader`` first."""
        idioms: tuple[tuple[str, str], ...] = ()
        others = (description, website_title, website_text)
        names_only = bool(name.strip()) and not any(x.strip() for x in others)
        public_body = not names_only or bool(PUBLIC_BODY_CUES.search(name[:TEXT_LIMIT]))
        if names_only:
            reading = self.names.read(name[:TEXT_LIMIT])
            name, idioms = reading.text, reading.idioms
        given = {"name": _new_words(name, description, website_title), "description": description}
        given |= {"website_title": website_title, "website_text": website_text}
        fields = {
            f: self.compounds.rewrite(t[:TEXT_LIMIT], name=f == "name")
            for f, t in given.items()
            if t and t.strip()
        }
        surfaces: dict[int, tuple[str, str]] = {}
        words = self._combine(self.space, fields, surfaces)
        chars = (
            self._combine(self.linear.space, fields, None)
            if self.linear is not None
            else Csr.row(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32), 0)
        )
        return Query(
            words=words,
            chars=chars,
            surfaces=surfaces,
            producer_cue=has_producer_cue(" ".join(fields.values())),
            names_only=names_only,
            idioms=idioms,
            public_body=public_body,
            long_text=_word_count(others) >= LONG_TEXT_WORDS,
        )

    def query(self, text: str) -> Query:
        """Shortcut: one text as a description."""
        return self.encode(description=text)

    def naics_parts(self, query: Query) -> tuple[np.ndarray, np.ndarray | None]:
        """The two ensemble members: naive Bayes log-probabilities, linear-model scores (without
        the intercepts, which ``blend`` adds with their fitted weight)."""
        q = query.words
        cent = self._centroid_cols.dot(q)
        loglik = self._nb_cols.dot(q)
        loglik += self.nb_const * float(q.data.sum())
        raw = loglik + self.params["centroid_weight"] * cent
        if not query.producer_cue:
            raw -= self.params.get("producer_penalty", 0.0) * self.producer_mask
        nb = _log_softmax(raw / self.params["temperature"])
        if self.linear is None or self._linear_cols is None or not query.chars.nnz:
            return nb, None
        return nb, self._linear_cols.dot(query.chars)

    def blend(self, nb: np.ndarray, lin: np.ndarray | None) -> np.ndarray:
        """Weighted average of the members' log-softmaxes."""
        if lin is None:
            return nb
        # The SGD intercepts carry each one-vs-rest fit's class balance, not evidence: with few
        # matching features the classes with the largest intercepts ("tortilla manufacturing",
        # "kidney dialysis centers") win. Their weight is chosen on the dev sets with the blend.
        w = self.params.get("linear_weight", 0.5)
        assert self.linear is not None
        lin = lin + self.params.get("linear_intercept_weight", 1.0) * self.linear.intercept
        return (1 - w) * nb + w * _log_softmax(lin / self.params.get("linear_temperature", 0.2))

    def naics_logits(self, query: Query) -> np.ndarray:
        """Ensemble log-probabilities of every NAICS code, before hierarchy decoding."""
        return self.blend(*self.naics_parts(query))

    def decode(self, z: np.ndarray) -> np.ndarray:
        """Hierarchy-aware decoding: each code gains ``hierarchy_weight`` x log P(its sector)."""
        lam = self.params.get("hierarchy_weight", 0.0)
        if lam:
            p = np.exp(z - z.max())
            mass = np.bincount(self.sector_index, weights=p) / p.sum()
            z = z + lam * np.log(mass[self.sector_index] + 1e-12)
        return _softmax(z)

    def score(self, query: Query) -> RawScores:
        """Raw per-code scores of all three systems for one query.

        When the input never mentions making or distributing goods, the fitted penalty applies to
        farming, mining, manufacturing and wholesale codes. A name alone that does not say it is a
        public body gets no public administration code.
        """
        q = query.words
        doc_sims = self._docs_cols.dot(q)
        naics = (
            self.decode(self.naics_logits(query))
            if not query.empty
            else np.zeros(len(self.tables["naics"].codes))
        )
        masks = self.public_masks if not query.public_body else None
        if masks:
            naics = _without(naics, masks["naics"])
        sic, mcc = self._derived("sic", naics, q), self._derived("mcc", naics, q)
        if masks:
            sic, mcc = _without(sic, masks["sic"]), _without(mcc, masks["mcc"])
        return RawScores(
            query=q,
            surfaces=query.surfaces,
            naics=naics,
            doc_sims=doc_sims,
            sic=sic,
            mcc=mcc,
        )

    def _derived(self, system: str, naics: np.ndarray, query: Csr) -> np.ndarray:
        """SIC / MCC scores consistent with the NAICS distribution.

        Each code takes the best ``P(naics) x edge weight`` over its NAICS partners (edge weights
        scaled so a NAICS code's strongest partner gets 1), not the sum: summing splits a clear
        NAICS answer over its many partners while catch-all codes ("business services, n.e.c.")
        collect crumbs from dozens of unlikely ones. Direct title similarity breaks ties.
        """
        rows, values, starts, targets = self._partners(system)[:4]
        via = np.zeros(len(self.tables[system].codes))
        if len(values):
            via[targets] = np.maximum.reduceat(values * naics[rows], starts)
        direct = self._vector_cols[system].dot(query)
        beta = self.params[f"beta_{system}"]
        mixed = (
            via + beta * _softmax(direct / self.params["direct_temperature"]) if query.nnz else via
        )
        total = mixed.sum()
        return mixed / total if total > 0 else mixed

    def set_crosswalk(self, system: str, crosswalk: Matrix) -> None:
        """Replace a system's NAICS crosswalk (the build sets the MCC one after building it from
        the model) and drop the edges cached from the old one."""
        self.tables[system].crosswalk = crosswalk
        self._partner_cache.pop(system, None)

    def _partners(self, system: str) -> tuple[np.ndarray, ...]:
        """The crosswalk's edges sorted by target code (cached): NAICS rows, weights scaled so a
        NAICS code's strongest partner gets 1, segment starts, target columns, raw weights."""
        cached = self._partner_cache.get(system)
        if cached is None:
            crosswalk = self.tables[system].crosswalk
            assert crosswalk is not None, f"{system} has no crosswalk"
            xw = as_csr(crosswalk)
            strongest = row_max(xw)
            strongest[strongest == 0] = 1.0
            every_row = segment_ids(xw.indptr)
            order = np.lexsort((every_row, xw.indices))
            rows, cols = every_row[order], np.asarray(xw.indices)[order]
            raw = np.asarray(xw.data, dtype=np.float64)[order]
            scaled = raw / strongest[rows]
            targets, starts = np.unique(cols, return_index=True)
            cached = self._partner_cache[system] = (rows, scaled, starts, targets, cols, raw)
        return cached

    # ---- the public call -----------------------------------------------------------------
    def classify(
        self,
        *,
        name: str = "",
        description: str = "",
        website_text: str = "",
        website_title: str = "",
        k: int = 5,
    ) -> ClassificationResult:
        """Top-``k`` NAICS, SIC and MCC codes with calibrated confidence and evidence.

        A business known only by its name gets the names-only treatment: confidences scaled to
        what names support, and ``industry_unknown`` when even the best code is weak.
        """
        query = self.encode(
            name=name,
            description=description,
            website_title=website_title,
            website_text=website_text,
        )
        raw = self.score(query)
        scale = NAMES_CONFIDENCE_SCALE if query.names_only else 1.0
        preds = {
            system: self._top(system, getattr(raw, system), k, scale, long_text=query.long_text)
            if not query.empty
            else []
            for system in SYSTEMS
        }
        evidence = (
            self._evidence(raw, preds)
            if not query.empty
            else {"terms": [], "note": "no known words in the input"}
        )
        notes: list[str] = []
        if not query.empty and not query.producer_cue and self.params.get("producer_penalty"):
            notes.append(
                "no wording about making or distributing goods: farming, mining, manufacturing "
                "and wholesale codes were down-weighted"
            )
        # Only character pieces matched (no known word): too little to name an industry.
        unknown = (
            query.empty
            or not query.words.nnz
            or (
                query.names_only
                and (not preds["naics"] or preds["naics"][0].confidence < NAMES_UNKNOWN_BELOW)
            )
        )
        if query.names_only and not query.empty:
            notes.extend(f'name word "{said}" read as "{read}"' for said, read in query.idioms)
            notes.append(
                "name only: confidence reflects how well names alone predict an industry"
                + ("; too weak to name an industry (industry_unknown)" if unknown else "")
            )
        if notes:
            evidence["notes"] = notes
        return ClassificationResult(
            naics=preds["naics"],
            sic=preds["sic"],
            mcc=preds["mcc"],
            evidence=evidence,
            model_version=self.version,
            versions=dict(CODE_SYSTEM_VERSIONS),
            unknown=unknown,
        )

    def _top(
        self, system: str, probs: np.ndarray, k: int, scale: float = 1.0, *, long_text: bool = False
    ) -> list[CodePrediction]:
        table = self.tables[system]
        order = np.argsort(-probs, kind="stable")[:k]
        out: list[CodePrediction] = []
        for rank, i in enumerate(order):
            if probs[i] <= 0:
                break
            confidence = float(probs[i])
            if table.calibration:
                confidence = table.calibration[map_index(table, rank, long_text)](confidence)
            confidence *= scale
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
        query: Csr,
        weights: np.ndarray,
        surfaces: dict[int, tuple[str, str]],
        n: int = 6,
    ) -> list[dict[str, Any]]:
        """The query's words ranked by ``query value x weight`` (``weights`` at query columns)."""
        contrib = query.data * weights
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for j in np.argsort(-contrib, kind="stable"):
            col, val = int(query.indices[j]), float(contrib[j])
            if val <= 0:
                break
            text, fname = surfaces.get(col, (self.space.vocab[col], ""))
            if text in seen:
                continue
            seen.add(text)
            out.append({"text": text, "field": fname, "weight": round(val, 4)})
            if len(out) == n:
                break
        return out

    def _evidence(self, raw: RawScores, preds: dict[str, list[CodePrediction]]) -> dict[str, Any]:
        naics_table = self.tables["naics"]
        cols = raw.query.indices
        evidence: dict[str, Any] = {}
        if preds["naics"]:
            top = naics_table.codes.index(preds["naics"][0].code)
            start, end = int(self.doc_offsets[top]), int(self.doc_offsets[top + 1])
            doc = start + int(np.argmax(raw.doc_sims[start:end]))
            weights = (
                row_at(self.nb_weights, top, cols)
                + row_at(self.centroids, top, cols)
                + row_at(self.docs, doc, cols)
            )
            evidence["naics"] = {
                "code": preds["naics"][0].code,
                "terms": self._terms(raw.query, weights, raw.surfaces),
                "matched_phrase": self.doc_texts[doc],
            }
        for system in ("sic", "mcc"):
            if not preds[system]:
                continue
            table = self.tables[system]
            assert table.vectors is not None
            idx = table.codes.index(preds[system][0].code)
            rows, _, _, _, targets, weight = self._partners(system)
            lo, hi = np.searchsorted(targets, [idx, idx + 1])
            column = weight[lo:hi] * raw.naics[rows[lo:hi]]
            order = np.argsort(-column, kind="stable")[:3]
            via = [naics_table.codes[rows[lo + i]] for i in order if column[i] > 0]
            evidence[system] = {
                "code": preds[system][0].code,
                "terms": self._terms(raw.query, row_at(table.vectors, idx, cols), raw.surfaces),
                "via_naics": via,
            }
        evidence["terms"] = evidence.get("naics", {}).get("terms", [])
        return evidence


CODE_SYSTEM_VERSIONS = {"naics": "NAICS 2022", "sic": "SIC 1987", "mcc": "ISO 18245"}


def _new_words(name: str, *others: str) -> str:
    """The name without the words the other fields already say: "Northwind Outdoor Ltd" selling
    "outdoor clothing" must not count "outdoor" twice."""
    said = {w.lower() for text in others for w in _WORDS.findall(text)}
    if not said:
        return name
    return " ".join(w for w in _WORDS.findall(name) if w.lower() not in said)


_WORDS = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def _word_count(texts: Sequence[str]) -> int:
    """Words in ``texts``, counted up to ``LONG_TEXT_WORDS`` each: a page of website text is not
    split whole to learn that it is long."""
    return sum(len(t.split(None, LONG_TEXT_WORDS)) for t in texts)


def _without(scores: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``scores`` with the masked codes at 0. Not renormalised: the codes left keep the score
    the model gave them, so their confidence is not raised by what was taken away."""
    return np.where(mask, 0.0, scores)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max()
    return np.asarray(z - np.log(np.exp(z).sum()))


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return np.asarray(e / e.sum())


# ---- artefact I/O ------------------------------------------------------------------------
def _save_csr(arrays: dict[str, np.ndarray], name: str, m: Matrix | Columns) -> None:
    if isinstance(m, Columns):
        m = m.to_csr()
    elif not isinstance(m, Csr):
        import scipy.sparse as sp  # a model being built: scipy is there

        m = sp.csr_matrix(m)
    arrays[f"{name}_data"] = m.data.astype(np.float32)
    arrays[f"{name}_indices"] = m.indices.astype(np.int32)
    arrays[f"{name}_indptr"] = m.indptr.astype(np.int64)
    arrays[f"{name}_shape"] = np.array(m.shape, dtype=np.int64)


def _load_csr(arrays: Any, name: str) -> Csr:
    rows, cols = (int(x) for x in arrays[f"{name}_shape"])
    return Csr(
        arrays[f"{name}_data"], arrays[f"{name}_indices"], arrays[f"{name}_indptr"], (rows, cols)
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
    if model.linear is not None:
        arrays["linear_idf"] = model.linear.space.idf
        arrays["linear_intercept"] = model.linear.intercept.astype(np.float32)
        _save_csr(arrays, "linear_coef", model.linear.coef)
    meta: dict[str, Any] = {
        "version": model.version,
        "params": model.params,
        "vocab": list(model.space.vocab),
        "doc_texts": list(model.doc_texts),
        "linear_vocab": list(model.linear.space.vocab) if model.linear is not None else None,
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
    """Read an artefact written by ``save``.

    Serving reads every matrix column-major (``Columns``): the products with a query, and the
    few values of one row that a result's evidence shows (``row_at``). So the row-major copies
    read from the artefact are let go and each matrix becomes its columns: 7 MB less per process
    for the linear model's weights, 4 MB for the phrase, centroid, Naive Bayes and SIC / MCC
    title matrices; ``save`` writes the same matrices. Nothing here imports scipy (see
    sparse.py)."""
    model = _load(directory)
    if model.linear is not None and model._linear_cols is not None:
        model.linear.coef = model._linear_cols
    model.docs, model.centroids = model._docs_cols, model._centroid_cols
    model.nb_weights = model._nb_cols
    for system, columns in model._vector_cols.items():
        model.tables[system].vectors = columns
    return model


def _load(directory: Path) -> IndustryClassifier:
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
            linear=(
                LinearModel(
                    space=TfidfSpace(
                        meta["linear_vocab"], arrays["linear_idf"], analyzer=linear_feature_list
                    ),
                    coef=_load_csr(arrays, "linear_coef"),
                    intercept=arrays["linear_intercept"],
                )
                if meta.get("linear_vocab")
                else None
            ),
        )
