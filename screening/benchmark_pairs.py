"""The real-pair screening benchmark: how it is frozen, split and scored.

Everything in it is a real name written by a list publisher or a registry; nothing is generated.

* Positive pairs: a list entry's own alias (a.k.a., spelling variation, non-Latin script name) as
  the query, its primary name as the listed name. An alias that is the primary name up to case and
  punctuation is left out (it says nothing), and so is an alias that is not a spelling of the
  primary name: fewer than half of the shorter name's letter trigrams (after transliteration) occur
  in the other, as letters or as consonants, and it is not the primary name's initials. Such an
  alias is another name (a translation, a former name, a nom de guerre) that no spelling matcher
  can find, whatever its quality.
* Hard negatives: an entry's primary name or alias as the query against the primary name of a
  different entry of the same list and type that shares a distinctive word with it.
* Non-listed companies: real legal names from GLEIF (CC0) and Companies House, screened against
  every loaded list; any match is a false hit.

The hold-out split is by entity: a key made of the sorted words of the primary name decides the
half, so every pair of one entry (and the same name on two lists) falls in one half. Negative pairs
are kept only when both entries fall in the same half. Tuning looks at ``dev`` only.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from anyascii import anyascii
from rapidfuzz import fuzz, utils

from screening.benchmark_sources import SourceEntity
from screening.matching.index import ByPartition, ListEntity, ScreeningIndex, build_qualifiers
from screening.matching.normalize import tokenize
from screening.matching.vocabulary import GENERIC_ORG_WORDS, PERSON_PARTICLES

BENCH_DIR = Path(__file__).resolve().parent / "data" / "bench"
PAIRS_FILE = BENCH_DIR / "real_pairs.csv"
REGISTRY_FILE = BENCH_DIR / "registry_names.csv"
PAIR_FIELDS = ("split", "source", "entity_type", "label", "query", "listed", "entity_id", "other")
MAX_ALIASES = 4
MAX_NEGATIVES = 2
SPELLING_OVERLAP = 0.5
SPLITS = ("dev", "holdout")


@dataclass(frozen=True, slots=True)
class Pair:
    """One labelled pair: does `query` name the entry listed as `listed`?"""

    split: str
    source: str
    entity_type: str
    label: bool
    query: str
    listed: str
    entity_id: str
    other: str


def split_of(name: str) -> str:
    """The half an entity falls in, from the words of its primary name."""
    key = " ".join(sorted(set(tokenize(name))))
    return SPLITS[int(hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest(), 16) % 2]


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", anyascii(text).lower())


def _trivial_key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _initials(name: str) -> str:
    return "".join(t[0] for t in tokenize(name) if t.isalpha())


def _trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


def _consonants(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[aeiouy]", "", text))


def _overlap(a: str, b: str) -> float:
    ga, gb = _trigrams(a), _trigrams(b)
    return len(ga & gb) / min(len(ga), len(gb)) if ga and gb else 0.0


def is_spelling_of(alias: str, primary: str) -> bool:
    """True when `alias` can be a spelling of `primary` (see the module docstring).

    Half the letter trigrams of the shorter name must occur in the other, compared as letters or
    as consonants only (Arabic and Hebrew script omit short vowels: "mhmd" for "Mohammed").
    """
    a, p = _letters(alias), _letters(primary)
    if len(a) >= 2 and a == _initials(primary):
        return True
    return max(_overlap(a, p), _overlap(_consonants(a), _consonants(p))) >= SPELLING_OVERLAP


def _stable(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def positive_pairs(entity: SourceEntity) -> list[Pair]:
    """Up to MAX_ALIASES alias -> primary pairs of one entry."""
    split = split_of(entity.primary)
    seen = {_trivial_key(entity.primary)}
    aliases: list[str] = []
    for alias in entity.aliases:
        key = _trivial_key(alias)
        if alias and key not in seen and is_spelling_of(alias, entity.primary):
            seen.add(key)
            aliases.append(alias)
    aliases = sorted(aliases, key=_stable)[:MAX_ALIASES]
    return [
        Pair(
            split, entity.source, entity.entity_type, True, a, entity.primary, entity.entity_id, ""
        )
        for a in aliases
    ]


def _distinctive(name: str) -> set[str]:
    stop = GENERIC_ORG_WORDS | PERSON_PARTICLES
    return {t for t in tokenize(name) if len(t) >= 4 and t.isalpha() and t not in stop}


def negative_pairs(entities: Sequence[SourceEntity], queries: dict[str, list[str]]) -> list[Pair]:
    """Per entry with positives, up to MAX_NEGATIVES other entries sharing a distinctive word."""
    by_token: dict[tuple[str, str, str], list[SourceEntity]] = defaultdict(list)
    for entity in entities:
        for token in _distinctive(entity.primary):
            by_token[(entity.source, entity.entity_type, token)].append(entity)
    out: list[Pair] = []
    for entity in entities:
        own = queries.get(f"{entity.source}:{entity.entity_id}")
        if not own:
            continue
        split = split_of(entity.primary)
        names = {" ".join(tokenize(n)) for n in (entity.primary, *entity.aliases)}
        others: dict[str, SourceEntity] = {}
        for token in _distinctive(entity.primary):
            for other in by_token[(entity.source, entity.entity_type, token)]:
                if (
                    other.entity_id != entity.entity_id
                    and split_of(other.primary) == split
                    and " ".join(tokenize(other.primary)) not in names
                ):
                    others[other.entity_id] = other
        chosen = sorted(others.values(), key=lambda o: _stable(entity.entity_id + o.entity_id))
        for query, other in zip([entity.primary, *own], chosen[:MAX_NEGATIVES], strict=False):
            out.append(
                Pair(
                    split,
                    entity.source,
                    entity.entity_type,
                    False,
                    query,
                    other.primary,
                    entity.entity_id,
                    other.entity_id,
                )
            )
    return out


def build_pairs(entities: Sequence[SourceEntity]) -> list[Pair]:
    """All positive and hard-negative pairs of the given entries."""
    positives: list[Pair] = []
    queries: dict[str, list[str]] = {}
    for entity in entities:
        pairs = positive_pairs(entity)
        positives += pairs
        if pairs:
            queries[f"{entity.source}:{entity.entity_id}"] = [p.query for p in pairs]
    return positives + negative_pairs(entities, queries)


def write_pairs(pairs: Iterable[Pair], path: Path = PAIRS_FILE) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PAIR_FIELDS)
        for p in pairs:
            writer.writerow(
                [p.split, p.source, p.entity_type, int(p.label), p.query, p.listed, p.entity_id,
                 p.other]
            )  # fmt: skip


def read_pairs(path: Path = PAIRS_FILE) -> list[Pair]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Pair(
                r["split"],
                r["source"],
                r["entity_type"],
                r["label"] == "1",
                r["query"],
                r["listed"],
                r["entity_id"],
                r["other"],
            )
            for r in csv.DictReader(handle)
        ]


def registry_names(
    gleif: Path, companies_house: Path, listed: set[str]
) -> list[tuple[str, str, str]]:
    """``(split, source, name)`` for the non-listed company names; a name whose normalised form
    equals a listed name is dropped."""
    names: list[tuple[str, str]] = []
    with gleif.open(encoding="utf-8", newline="") as handle:
        names += [("gleif", r["name"]) for r in csv.DictReader(handle)]
    with companies_house.open(encoding="utf-8", newline="") as handle:
        names += [("companies_house", r["CompanyName"]) for r in csv.DictReader(handle)]
    return [
        (SPLITS[int(_stable(name), 16) % 2], source, name)
        for source, name in names
        if name and " ".join(tokenize(name)) not in listed
    ]


def read_registry(path: Path = REGISTRY_FILE) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(r["split"], r["source"], r["name"]) for r in csv.DictReader(handle)]


@dataclass(slots=True)
class Confusion:
    """Counts of one matcher on one set of pairs."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, label: bool, predicted: bool) -> None:
        if label and predicted:
            self.tp += 1
        elif label:
            self.fn += 1
        elif predicted:
            self.fp += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(
    pairs: Iterable[Pair], decide: Callable[[Pair], bool]
) -> tuple[dict[str, Confusion], list[tuple[Pair, bool]]]:
    """Confusion per entity type, and the pairs decided wrongly."""
    out: dict[str, Confusion] = defaultdict(Confusion)
    wrong: list[tuple[Pair, bool]] = []
    for pair in pairs:
        predicted = decide(pair)
        out[pair.entity_type].add(pair.label, predicted)
        if predicted != pair.label:
            wrong.append((pair, predicted))
    return dict(out), wrong


def baseline_score(pair: Pair) -> float:
    """Plain rapidfuzz: WRatio of the default-processed names (lower case, no punctuation)."""
    return fuzz.WRatio(pair.query, pair.listed, processor=utils.default_process) / 100


def best_cutoff(pairs: Sequence[Pair], score: Callable[[Pair], float]) -> float:
    """The cutoff that maximises the mean of the organisation and person F1 on `pairs`."""
    scored = [(score(p), p) for p in pairs]
    best, best_f1 = 0.9, -1.0
    for step in range(50, 100):
        cutoff = step / 100
        confusions: dict[str, Confusion] = defaultdict(Confusion)
        for s, p in scored:
            confusions[p.entity_type].add(p.label, s >= cutoff)
        f1 = sum(c.f1 for c in confusions.values()) / max(1, len(confusions))
        if f1 > best_f1:
            best, best_f1 = cutoff, f1
    return best


def matcher_scores(
    pairs: Sequence[Pair], *, floor: ByPartition, match_at: ByPartition, limit: int = 100
) -> list[float]:
    """Our matcher on each pair, searched as production searches.

    Every listed name of `pairs` is one entity of a single index, and each query is searched in
    it with the reporting floor and match thresholds production uses; a pair's score is that of
    its listed name among the hits (0 when it is not among them). So a name the candidate
    generation does not propose at those floors, or that other names crowd out of the candidates,
    counts as a miss, as it does in production. (Until 2026-12-02 each pair had an index of its
    own searched from 0.5, which proposed names production never scores: 34 organisation pairs of
    the dev half matched there and not in production.)
    """
    ids: dict[tuple[str, str], str] = {}
    entities: list[ListEntity] = []
    for pair in pairs:
        key = (pair.entity_type, pair.listed)
        if key not in ids:
            ids[key] = str(len(ids))
            entities.append(ListEntity("bench", ids[key], pair.entity_type, pair.listed))
    index = ScreeningIndex(entities)
    found: dict[tuple[str, str], dict[str, float]] = {}
    scores: list[float] = []
    for pair in pairs:
        query = (pair.entity_type, pair.query)
        if query not in found:
            qualifiers = build_qualifiers(
                entity_type=pair.entity_type, country=None, identifiers=()
            )
            hits = index.search(
                pair.query, qualifiers=qualifiers, floor=floor, match_at=match_at, limit=limit
            )
            found[query] = {hit.entity.entity_id: hit.score for hit in hits}
        scores.append(found[query].get(ids[(pair.entity_type, pair.listed)], 0.0))
    return scores
