"""The labelled screening benchmark: how it is assembled and how it is scored.

Method (deterministic for a seed; see ``screening/data/bench/README.md``):

Positives come from the loaded lists. Entities are sampled; for each, one of its names (primary or
alias, the same way an integrator might submit it) is turned into variants, each labelled with the
entity it must match:

* ``exact``: the name as listed;
* ``typo``: one random edit (substitution, deletion, insertion, transposition) inside a token of
  five or more letters;
* ``reorder`` (persons): tokens rotated, so "LAST First" becomes "First LAST";
* ``missing_middle`` (persons with three or more tokens): a middle token dropped;
* ``suffix`` (organisations): the legal form swapped for another ("LTD" -> "LIMITED", "LLC" ->
  "Co., Ltd.") or, without one, a legal form appended.

Negatives are names that are not on the lists:

* ``company``: real legal names from the GLEIF golden copy (CC0), drawn from the shipped 10k sample;
  names whose normalised form equals a list name, or whose LEI is on a list, are dropped first;
* ``person``: realistic person names from several locales, generated once with Faker (seeded) and
  shipped as a file;
* ``suffix_only``: a list organisation's legal form and generic words kept, its distinctive words
  replaced by words from GLEIF names ("ACME TRADING LTD" for "XYZ TRADING LTD");
* ``first_name_only``: a listed person's first given name alone.

A positive counts as found when its entity is among the hits with ``match`` true. Precision is
found positives over found positives plus negatives with any match; recall is found positives over
all positives. Extra matches on a positive query are not counted against precision: lists name the
same party several times (OFAC and UN both list many people), so they are often right.
"""

from __future__ import annotations

import csv
import importlib
import random
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from screening.hits import ScreeningHit
from screening.loaders import ParsedEntry, parse_files
from screening.matching.index import ListEntity
from screening.matching.normalize import tokenize
from screening.matching.scoring import prepare
from screening.matching.vocabulary import GENERIC_ORG_WORDS, split_legal_forms

BENCH_DIR = Path(__file__).resolve().parent / "data" / "bench"
NEGATIVE_COMPANIES = BENCH_DIR / "negative_companies_gleif.csv"
NEGATIVE_PERSONS = BENCH_DIR / "negative_persons_faker.csv"
FREQUENT_PERSON_MIN_ENTRIES = 3
_SUFFIX_SWAPS = {
    "ltd": "LIMITED",
    "limited": "LTD",
    "llc": "CO., LTD.",
    "co": "COMPANY",
    "company": "CO.",
    "inc": "INCORPORATED",
    "corp": "CORPORATION",
    "sa": "S.A.",
    "gmbh": "AG",
    "ag": "GMBH",
    "jsc": "JOINT STOCK COMPANY",
}
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class LabelledName:
    """One benchmark query: a name, its kind, and the entity it must match (None: must not)."""

    name: str
    entity_type: str
    kind: str
    expected: tuple[str, str] | None


@dataclass(slots=True)
class BenchResult:
    """Latencies and confusion counts of one benchmark run."""

    latencies_ms: list[float] = field(default_factory=list)
    found: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    false_positives: list[tuple[LabelledName, ScreeningHit]] = field(default_factory=list)
    missed: list[LabelledName] = field(default_factory=list)

    @property
    def true_positives(self) -> int:
        return sum(v for k, v in self.found.items() if not k.startswith("neg:"))

    @property
    def positives(self) -> int:
        return sum(v for k, v in self.total.items() if not k.startswith("neg:"))

    @property
    def negatives_matched(self) -> int:
        return sum(v for k, v in self.found.items() if k.startswith("neg:"))

    @property
    def precision(self) -> float:
        denominator = self.true_positives + self.negatives_matched
        return self.true_positives / denominator if denominator else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.positives if self.positives else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0


def _typo(name: str, rng: random.Random) -> str | None:
    """One random edit inside a word of five or more letters (shorter words must be exact)."""
    words = re.split(r"([^\w]+)", name)
    long_words = [i for i, w in enumerate(words) if w.isalpha() and len(w) >= 5]
    if not long_words:
        return None
    i = rng.choice(long_words)
    word = words[i]
    pos = rng.randrange(1, len(word) - 1)
    op = rng.choice(("sub", "del", "ins", "swap"))
    letter = rng.choice(_LETTERS).upper() if word.isupper() else rng.choice(_LETTERS)
    if op == "sub":
        word = word[:pos] + letter + word[pos + 1 :]
    elif op == "del":
        word = word[:pos] + word[pos + 1 :]
    elif op == "ins":
        word = word[:pos] + letter + word[pos:]
    else:
        word = word[: pos - 1] + word[pos] + word[pos - 1] + word[pos + 1 :]
    words[i] = word
    return "".join(words)


def _suffix_changed(name: str, rng: random.Random) -> str:
    tokens = tokenize(name)
    core, forms = split_legal_forms(tokens)
    if forms:
        old = tokens[len(core)] if len(tokens) > len(core) else ""
        replacement = _SUFFIX_SWAPS.get(old, rng.choice(("LTD", "LLC", "")))
        return " ".join(core).upper() + (f" {replacement}" if replacement else "")
    return f"{name} {rng.choice(('LTD', 'LLC', 'CO.', 'GMBH', 'S.A.'))}"


def _positives(entity: ListEntity, rng: random.Random) -> list[LabelledName]:
    name = rng.choice((entity.primary_name, *entity.aliases))
    person = entity.entity_type == "person"
    etype = (
        "person" if person else "organization" if entity.entity_type == "organization" else "any"
    )
    key = (entity.list_source, entity.entity_id)
    out = [LabelledName(name, etype, "exact", key)]
    if typo := _typo(name, rng):
        out.append(LabelledName(typo, etype, "typo", key))
    words = name.split()
    if person and len(words) >= 2:
        out.append(LabelledName(" ".join(words[1:] + words[:1]), etype, "reorder", key))
        if len(words) >= 3:
            del words[rng.randrange(1, len(words) - 1)]
            out.append(LabelledName(" ".join(words), etype, "missing_middle", key))
    if entity.entity_type == "organization" and len(split_legal_forms(tokenize(name))[0]) >= 1:
        out.append(LabelledName(_suffix_changed(name, rng), etype, "suffix", key))
    return out


def _suffix_only(entity: ListEntity, filler: Sequence[str], rng: random.Random) -> str | None:
    tokens = tokenize(entity.primary_name)
    core, forms = split_legal_forms(tokens)
    kept = [t for t in core if t in GENERIC_ORG_WORDS]
    if not forms and not kept:
        return None
    tail = " ".join(tokens[len(core) :])
    return " ".join([rng.choice(filler), *kept, tail]).strip().upper()


def derive_generic_words(gleif_csv: Path, *, min_names: int = 30) -> list[str]:
    """Words in at least `min_names` GLEIF legal names (legal forms stripped), held-out names
    excluded: how ``legal_forms/generic_org_words_DERIVED.txt`` was made."""
    held_out = {row["lei"] for row in csv.DictReader(NEGATIVE_COMPANIES.open(encoding="utf-8"))}
    counts: Counter[str] = Counter()
    with gleif_csv.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["LEI"] not in held_out:
                counts.update(set(split_legal_forms(tokenize(row["Entity.LegalName"]))[0]))
    roman = {"ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}
    return sorted(
        w
        for w, n in counts.items()
        if n >= min_names and len(w) > 1 and w not in roman and w.isalpha()
    )


# The reference texts of business English that ``derive_common_words`` reads (columns by file),
# as ../shared/data/industry_codes holds them.
INDUSTRY_TEXTS = {
    "naics2022_descriptions.csv": ("title", "description"),
    "naics2022_index_file.csv": ("index_item_description",),
    "sic1987_osha.csv": ("SIC4_desc", "ind_desc", "maj_desc", "div_desc"),
    "uk_sic2007_subclasses.csv": ("title", "section_title"),
    "mcc_codes_greggles.csv": ("edited_description", "combined_description", "irs_description"),
}


def derive_common_words(
    gleif_csv: Path, industry_dir: Path, *, english_min_zipf: float = 2.5
) -> list[str]:
    """Words ordinary businesses use: every word (legal forms stripped) of the GLEIF legal names
    not held out for the benchmark, every word of the NAICS, SIC and MCC titles, index entries
    and definitions, and the English words used about once in 3 million words or more (Zipf
    frequency >= ``english_min_zipf`` in wordfreq 3.1.1: ``pip install wordfreq==3.1.1``, not a
    dependency of the product). How ``legal_forms/common_words_DERIVED.txt`` was made; a listed
    organisation's word that is none of these is coined (see ``scoring._coined_word``)."""
    wordfreq = importlib.import_module("wordfreq")  # a one-off tool, not a dependency

    held_out = {row["lei"] for row in csv.DictReader(NEGATIVE_COMPANIES.open(encoding="utf-8"))}
    words: set[str] = set()
    with gleif_csv.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["LEI"] not in held_out:
                words.update(split_legal_forms(tokenize(row["Entity.LegalName"]))[0])
    for name, columns in INDUSTRY_TEXTS.items():
        with (industry_dir / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in columns:
                    words.update(tokenize(row[column] or ""))
    for word in wordfreq.top_n_list("en", 400_000):
        if wordfreq.zipf_frequency(word, "en") < english_min_zipf:
            break  # the list is ordered by frequency
        words.update(tokenize(word))
    return sorted(w for w in words if len(w) > 1 and w.isalpha())


class NamedEntry(Protocol):
    """A list entry's type and names: a parsed file's entry or the matcher's own."""

    @property
    def entity_type(self) -> str: ...

    @property
    def primary_name(self) -> str: ...

    @property
    def aliases(self) -> Sequence[str]: ...


def derive_frequent_person_words(
    entities: Iterable[NamedEntry], *, min_entries: int = FREQUENT_PERSON_MIN_ENTRIES
) -> list[str]:
    """Words (three letters or more) of persons' names, primary names and aliases, that at least
    ``min_entries`` person entries of `entities` use. How
    ``legal_forms/frequent_person_words_DERIVED.txt`` was made, from the bundled OFAC SDN
    (2021-07), OFAC consolidated and UN files as ``loaders.parse_files`` reads them
    (``bundled_list_entries``):
    a word that many listed people bear is a name of its own, so a loose spelling rule does not
    pair two of them (``scoring._two_names``). Unlabelled: which names are whose aliases is not
    read."""
    counts: Counter[str] = Counter()
    for entity in entities:
        if entity.entity_type != "person":
            continue
        words: set[str] = set()
        for name in (entity.primary_name, *entity.aliases):
            words.update(
                t
                for t in prepare(name, person=True, cached=False).tokens
                if len(t) > 2 and t.isalpha()
            )
        counts.update(words)
    return sorted(word for word, count in counts.items() if count >= min_entries)


def bundled_list_entries() -> list[ParsedEntry]:
    """Every entry of the lists ``manage.py load_default_watchlists`` loads, parsed from the
    bundled files."""
    from screening.management.commands.load_default_watchlists import SHIPPED

    return [
        entry for source, paths in SHIPPED.items() for entry in parse_files(source, paths).entries
    ]


def read_negatives(path: Path) -> list[str]:
    """The ``name`` column of a shipped negatives file."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["name"] for row in csv.DictReader(handle) if row.get("name")]


def labelled_set(
    entities: Sequence[ListEntity], *, positives: int = 400, negatives: int = 400, seed: int = 5
) -> list[LabelledName]:
    """Assemble the labelled set from the loaded entities and the shipped negative names."""
    rng = random.Random(seed)
    listed_names = {" ".join(tokenize(n)) for e in entities for n in (e.primary_name, *e.aliases)}
    out: list[LabelledName] = []
    for entity in rng.sample(list(entities), min(positives, len(entities))):
        out.extend(_positives(entity, rng))
    companies = [
        n for n in read_negatives(NEGATIVE_COMPANIES) if " ".join(tokenize(n)) not in listed_names
    ]
    persons = [
        n for n in read_negatives(NEGATIVE_PERSONS) if " ".join(tokenize(n)) not in listed_names
    ]
    out += [
        LabelledName(n, "organization", "neg:company", None)
        for n in rng.sample(companies, min(negatives, len(companies)))
    ]
    out += [
        LabelledName(n, "person", "neg:person", None)
        for n in rng.sample(persons, min(negatives, len(persons)))
    ]
    filler = [
        t for n in companies for t in tokenize(n) if len(t) >= 5 and t not in GENERIC_ORG_WORDS
    ]
    orgs = [e for e in entities if e.entity_type == "organization"]
    for entity in rng.sample(orgs, min(negatives // 2, len(orgs))):
        if (name := _suffix_only(entity, filler, rng)) and " ".join(
            tokenize(name)
        ) not in listed_names:
            out.append(LabelledName(name, "organization", "neg:suffix_only", None))
    people = [e for e in entities if e.entity_type == "person" and len(e.primary_name.split()) >= 2]
    for entity in rng.sample(people, min(negatives // 2, len(people))):
        first = entity.primary_name.split()[0]
        if " ".join(tokenize(first)) not in listed_names:
            out.append(LabelledName(first, "person", "neg:first_name_only", None))
    return out


def run(
    queries: Iterable[LabelledName], screen: Callable[[LabelledName], list[ScreeningHit]]
) -> BenchResult:
    """Screen every query once, timing each call."""
    result = BenchResult()
    for query in queries:
        started = time.perf_counter()
        hits = screen(query)
        result.latencies_ms.append((time.perf_counter() - started) * 1000)
        result.total[query.kind] += 1
        matched = [h for h in hits if h.match]
        if query.expected is None:
            if matched:
                result.found[query.kind] += 1
                result.false_positives.append((query, matched[0]))
        elif any((h.list, h.entity_id) == query.expected for h in matched):
            result.found[query.kind] += 1
        else:
            result.missed.append(query)
    return result


def by_kind(result: BenchResult) -> list[tuple[str, int, int]]:
    """``(kind, matched, total)`` rows: for positives matched is found, for negatives it is FPs."""
    kinds = defaultdict(int, result.total)
    return [(k, result.found[k], kinds[k]) for k in sorted(kinds)]
