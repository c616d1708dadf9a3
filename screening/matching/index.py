"""In-memory screening index: candidate generation by token, typo and phonetic keys, then scoring.

Building: every primary name and alias of every entity becomes a :class:`NameForm`, in one of two
partitions (person names, all other names); a name with a bracketed part is also indexed without
it (:func:`unbracketed`). Its tokens, and the concatenations of adjacent tokens
(so "AERO CARIBBEAN" meets "AEROCARIBBEAN"), enter the partition's vocabulary. Each vocabulary
token is reachable from its one-character deletions (SymSpell: two tokens one edit apart share a
deletion key) and, for person tokens of five or more letters, from its consonant skeleton.
Organisation words are also reached by their equivalents in other languages (ZAVOD / PLANT).

Searching: each query token is looked up through the same keys and checked with
:func:`token_similarity`; the names holding the tokens reached are the candidates, kept only if
they hold enough of the query's weight to reach the reporting floor (set operations, no scan).
At most ``MAX_CANDIDATES`` of them are scored in full, and as many more of the organisation
names that share a rare word with the query (``_Partition.candidates``). A query never touches
every entry.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import accumulate
from typing import Any

from screening.matching.countries import country_key, country_words
from screening.matching.normalize import consonant_key, has_vowel, normalise_identifier, skeleton
from screening.matching.scoring import (
    ACRONYM_SKIP,
    COINED_STRETCH,
    COINED_VARIANT_STRETCH,
    COUNTRY_MATCH_BONUS,
    MIDDLE_NAME_UNPAIRED_COST,
    NO_WORDS,
    PATRONYMIC_UNPAIRED_COST,
    PERSON,
    PERSON_UNPAIRED_COST,
    TYPE_MISMATCH_PENALTY,
    NameForm,
    Qualifiers,
    SimilarityCache,
    abd_units,
    acronyms,
    is_coined,
    is_ordinary,
    is_patronymic,
    person_spelling_keys,
    prepare,
    qualify,
    same_governed_name,
    score_name,
    token_similarity,
)
from screening.matching.variants import english_sound, nicknames_of, phonetic_key
from screening.matching.vocabulary import (
    ORG_NEUTRAL_WORDS,
    common_words,
    frequent_person_words,
    org_word_equivalents,
    org_word_groups,
)

MAX_CANDIDATES = 32
# A screened name is read up to its 32nd word. The longest name of the real-pair benchmark has
# 26; the cost of a name grows with its words, and a 500-character name of 160 two-letter words
# ("Ad Al Ad Al ...") cost 180 ms, 100 of them in one request 18 s (a review, 2026-12-03); 480
# Chinese characters, each a word, 162 ms.
MAX_QUERY_WORDS = 32
# Organisation names that share a query unit (word, join or acronym) reaching at most this many
# names, or a coined word (through no ordinary word it pairs with), are candidates from
# RARE_FLOOR_MARGIN below the floor: the rules
# that take such a shared word as evidence score them above their raw bound (docs/screening.md,
# "Candidates").
RARE_UNIT_NAMES = 8
# A listed word is looked up as the initials of runs of at most this many query words.
RUN_ACRONYM_WORDS = 8
RARE_FLOOR_MARGIN = 0.18
# Query words whose similar vocabulary tokens each partition remembers (about 1 MB when full;
# 16,384 cost 3 MB of every worker for no measurable speed: docs/performance.md, "Memory").
SIMILAR_MEMO_MAX = 4_096
# A list change's index is small and lives for one re-screen of every monitored merchant, whose
# hundreds of thousands of names repeat words far more often than whole names: a memo this size
# (about 40 MB at most, freed with the index) answers most words once per run.
CHANGE_MEMO_MAX = 262_144
MIN_IDENTIFIER_LENGTH = 5
_PLAIN, _JOINED, _JOINED_FULL = 0, 1, 2


@dataclass(frozen=True, slots=True)
class ListEntity:
    """One list entry as the matcher sees it."""

    list_source: str
    entity_id: str
    entity_type: str
    primary_name: str
    aliases: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    content_hash: str = ""


@dataclass(frozen=True, slots=True)
class ByPartition:
    """A score that differs between the person names and every other name (organisations'
    match threshold is lower than persons', docs/screening.md "Thresholds")."""

    person: float
    other: float

    def of(self, person: bool) -> float:
        return self.person if person else self.other


@dataclass(frozen=True, slots=True)
class Match:
    """A scored hit of one query against one entity (its best-matching name)."""

    entity: ListEntity
    name: str
    score: float
    explanation: dict[str, Any]


@dataclass(slots=True)
class _Entity:
    entity: ListEntity
    countries: frozenset[str]
    identifiers: frozenset[str]


# A scored candidate entity: its best score, and the query and list name forms that gave it.
_Scored = tuple[float, NameForm, NameForm]
# A query unit: its weight, how many query tokens it stands for, and the names it reaches.
_Unit = tuple[float, int, set[int]]


def _deletions(token: str) -> set[str]:
    if len(token) < 4:
        return {token}
    return {token} | {token[:i] + token[i + 1 :] for i in range(len(token))}


_SEPARATORS = re.compile(r"\s*;\s*|\s*/\s+|\s+/\s*|\s*[()]\s*")
_ALTERNATIVES = re.compile(r";|\s/|/\s")


def alternative_names(name: str) -> list[str]:
    """The names a field holding several names gives, besides itself.

    Lists (and forms) write alternatives into one name: "Mortaza Safari; Morteza Saferi",
    "OOO TRANSOIL / OBSHCHESTVO ... TRANSOIL", "<Arabic script> (Hajji Malik Noorzai; ...)".
    Only a ";" or a "/" with a space on either side makes alternatives ('"VOLATAVTO"/ OAO
    "VOLATAVTO"'; not "A/S"), and then brackets part them too; an empty list when there is none.
    """
    if not _ALTERNATIVES.search(name):
        return []
    parts = [p.strip(" ,.-") for p in _SEPARATORS.split(name)]
    return [p for p in dict.fromkeys(parts) if len(p) >= 2 and p != name]


_BRACKETED = re.compile(r"\s*\([^()]*\)")


def unbracketed(name: str) -> str:
    """A listed name without its bracketed parts, which it is also indexed as.

    Lists put acronyms and places in brackets inside a name ("PETROIRAN DEVELOPMENT COMPANY
    (PEDCO) LIMITED", "GOLFRATE HOLDINGS (ANGOLA) LDA"), where a query rarely repeats them.
    Only listed names: a screened name without its brackets can be a far shorter, generic name
    ("(WEST YORKSHIRE) VAN RENTAL LIMITED"), which made real companies false hits.
    """
    return " ".join(_BRACKETED.sub(" ", name).split())


# A key table row: the key's hash above the vocabulary token id (see _KeyTable).
_TID_BITS = 24
_TID_MASK = (1 << _TID_BITS) - 1
_HASH_BITS = 63 - _TID_BITS
_HASH_MASK = (1 << _HASH_BITS) - 1


class _KeyTable:
    """Keys (typo, skeleton, phonetic, consonant) to the vocabulary tokens they reach.

    One sorted array of 64-bit integers, a row per (key, token) pair: 39 bits of the key's
    ``hash()`` above the token's id, and the offsets of the rows of each run of leading hash
    bits (one or two rows a bucket), so a lookup reads a row or two instead of bisecting. About
    12 bytes a pair, where a dict of key strings to ints or tuples cost about 130 (see
    docs/performance.md, "Memory"). Two keys whose hashes agree in those bits reach each other's
    tokens too: harmless, as every token reached is checked by :func:`token_similarity` before
    it counts. ``hash()`` of a string is seeded per process, so the table is only valid in the
    process that built it (or one forked from it); it is never stored.
    """

    __slots__ = ("_rows", "_shift", "_starts")

    def __init__(self, rows: list[int]) -> None:
        """``rows``: one :meth:`row` per (key, token) pair, in any order (sorted here)."""
        rows.sort()
        bits = max(1, (len(rows) // 2).bit_length())
        self._shift = _HASH_BITS - bits
        starts = [0] * ((1 << bits) + 1)
        for row in rows:
            starts[(row >> (self._shift + _TID_BITS)) + 1] += 1
        self._starts = array("q", accumulate(starts))
        self._rows = array("q", rows)

    @staticmethod
    def row(key: str, tid: int) -> int:
        if tid > _TID_MASK:
            raise ValueError(f"more than {_TID_MASK + 1} vocabulary tokens in one partition")
        return (hash(key) & _HASH_MASK) << _TID_BITS | tid

    def __len__(self) -> int:
        return len(self._rows)

    def reach(self, reached: set[int], *keys: str) -> None:
        """Add the tokens the `keys` reach to `reached`."""
        rows, starts, shift = self._rows, self._starts, self._shift
        add = reached.add
        for key in keys:
            hashed = hash(key) & _HASH_MASK
            bucket = hashed >> shift
            for i in range(starts[bucket], starts[bucket + 1]):
                row = rows[i]
                if row >> _TID_BITS == hashed:
                    add(row & _TID_MASK)


class _Postings:
    """Per vocabulary token, the names posted under it: one flat int32 array and its offsets.

    A tuple per token cost about 60 bytes of header besides its items; here a token costs its
    offset (4 bytes) and each posting 4 bytes (see docs/performance.md, "Memory").
    """

    __slots__ = ("_names", "_starts")

    def __init__(self, built: dict[int, list[int]], size: int) -> None:
        names = array("i")
        starts = array("i", [0])
        for tid in range(size):
            names.extend(built.get(tid, ()))
            starts.append(len(names))
        self._names, self._starts = names, starts

    def __getitem__(self, tid: int) -> Sequence[int]:
        start, end = self._starts[tid], self._starts[tid + 1]
        return self._names[start:end] if end > start else ()


# Long organisation words also meet by their first six letters: a compound transliterated two
# ways differs by two edits or more at its end ("OBORONLOGISTIKA" / "OBORONLOGISTICS",
# "STROYSERVIS" / "STROYSERVICE"), beyond the one-deletion typo keys and the skeletons; and by
# their last six, for two edits near the start ("RUKHERVOMOTOR" / "RUCHSERVOMOTOR"). The keys
# share the skeleton table (a NUL or a \1 in front keeps them apart); the scorer still decides.
PREFIX_KEY_MIN = 7
PREFIX_KEY_LENGTH = 6
# Two adjacent query words, joined, reach by their first letters only listed words at most this
# much shorter than the join.
JOIN_LENGTH_SLACK = 2
# Listed joins of two words at least this long are keyed by their skeleton too.
JOIN_SKELETON_MIN = 7


def _prefix_key(token: str) -> str:
    return "\0" + token[:PREFIX_KEY_LENGTH]


def _suffix_key(token: str) -> str:
    return "\1" + token[-PREFIX_KEY_LENGTH:]


def _o_u_spellings(token: str) -> set[str]:
    out = {""}
    for char in token:
        options = "ou" if char in "ou" else char
        out = {head + option for head in out for option in options}
    return out


class _Partition:
    """The token index over either person names or all other names."""

    def __init__(self, *, person: bool, memo_max: int = SIMILAR_MEMO_MAX) -> None:
        self.person = person
        self.memo_max = memo_max
        self.vocabulary: dict[str, int] = {}  # token -> id while names go in (see finish)
        self.tokens: list[str] = []
        # Per vocabulary token: names holding it as a token, names holding it as the
        # concatenation of two adjacent tokens, and of those the joins of two full-weight tokens.
        # Filled as dicts of lists while names are added; `finish` freezes them into flat arrays
        # (see _Postings and docs/performance.md, "Memory").
        self.plain = self.joined = self.joined_full = _Postings({}, 0)
        self._building: tuple[dict[int, list[int]], ...] | None = ({}, {}, {})
        self.single_word: set[int] = set()  # names with fewer than two full-weight words
        # Per name, by its index in the whole index (lists, not dicts: a dict entry cost about
        # 40 bytes; the other partition's names hold a placeholder): cumulative weights of its
        # tokens, heaviest first, for score upper bounds; the least its tokens cost; its length.
        self.cumulative: list[tuple[float, ...]] = []
        self.collapsed: list[float] = []
        self.lengths: list[int] = []
        self.repeated: dict[int, tuple[int, ...]] = {}  # per token: names holding it twice+
        self._repeated: dict[int, list[int]] = defaultdict(list)
        # Keys to vocabulary tokens (see _KeyTable): typo (deletion) keys and consonant
        # skeletons; transliteration keys: phonetic (person names), consonants only (every token;
        # reached by a query token written without vowels). And acronyms of organisation names.
        self.typo_keys = self.skeletons = self.phonetic = self.consonants = _KeyTable([])
        # Each token under its exact spelling; the build's token -> id dict is let go once the
        # index is finished (about 4 MB of dict and int objects with the bundled lists).
        self.spellings = _KeyTable([])
        self.acronyms: dict[str, tuple[int, ...]] = {}
        self._acronyms: dict[str, list[int]] = defaultdict(list)
        # Persons: per vocabulary token, the names holding an Abd name that governs it ("abd al
        # rahman", "abdulrahman": rahman; see scoring.abd_units), which pairs only as a whole.
        self.abd: dict[int, tuple[int, ...]] = {}
        self._abd: dict[int, list[int]] = defaultdict(list)
        # Equal tuples and floats (weights, cumulative sums) stored once.
        self._shared: dict[Any, Any] = {}
        self._similar_memo: dict[tuple[str, bool], tuple[int, ...]] = {}

    def _tid(self, token: str) -> int:
        tid = self.vocabulary.get(token)
        if tid is None:
            tid = self.vocabulary[token] = len(self.tokens)
            self.tokens.append(token)
        return tid

    def _post(self, which: int, tid: int, name_idx: int) -> None:
        assert self._building is not None, "the partition is finished"
        postings = self._building[which].get(tid)
        if postings is None:
            self._building[which][tid] = [name_idx]
        elif postings[-1] != name_idx:  # a name holding a token twice is posted once
            postings.append(name_idx)

    def add(self, name_idx: int, form: NameForm) -> NameForm:
        """Index `form`; it comes back holding the vocabulary's own strings and shared tuples.

        Thousands of list names repeat the same words and weight patterns: one copy of each
        (see docs/performance.md, "Memory").
        """
        shared = self._shared
        tokens = tuple(self.tokens[self._tid(t)] for t in form.tokens)
        form = replace(
            form,
            tokens=shared.setdefault(tokens, tokens),
            weights=shared.setdefault(form.weights, form.weights),
            parts=shared.setdefault(form.parts, form.parts),
            legal_forms=shared.setdefault(form.legal_forms, form.legal_forms),
        )
        for token in form.tokens:
            self._post(_PLAIN, self._tid(token), name_idx)
        for i in range(len(form.tokens) - 1):
            tid = self._tid(form.tokens[i] + form.tokens[i + 1])
            self._post(_JOINED, tid, name_idx)
            if form.weights[i] == form.weights[i + 1] == 1.0:
                self._post(_JOINED_FULL, tid, name_idx)
        if self.person:
            for _, governed in abd_units(form):
                names = self._abd[self._tid(governed)]
                if not names or names[-1] != name_idx:
                    names.append(name_idx)
        if form.full_parts < 2:
            self.single_word.add(name_idx)
        missing = name_idx + 1 - len(self.lengths)
        self.cumulative.extend([()] * missing)
        self.collapsed.extend([0.0] * missing)
        self.lengths.extend([0] * missing)
        cumulative = tuple(shared.setdefault(w, w) for w in accumulate(sorted(form.weights)[::-1]))
        self.cumulative[name_idx] = shared.setdefault(cumulative, cumulative)
        # The least its unpaired tokens can cost: hyphenated words cost as one (see scoring).
        by_part: dict[int, float] = {}
        for part, weight in zip(form.parts, form.weights, strict=True):
            by_part[part] = max(by_part.get(part, 0.0), weight)
        collapsed = sum(by_part.values()) if self.person else form.total
        if self.person:
            collapsed -= _patronymic_discount(form)  # a left-out patronymic may cost less
        self.collapsed[name_idx] = shared.setdefault(collapsed, collapsed)
        self.lengths[name_idx] = len(form.tokens)
        if not self.person:
            for acronym in acronyms(form.tokens) | form.form_acronyms:
                self._acronyms[acronym].append(name_idx)
        counts = Counter(form.tokens)
        for token, count in counts.items():
            if count > 1:
                self._repeated[self._tid(token)].append(name_idx)
        return form

    def finish(self) -> None:
        """Freeze the postings, and build the typo and skeleton keys once all names are in."""
        assert self._building is not None, "finish() runs once"
        size = len(self.tokens)
        self.plain, self.joined, self.joined_full = (_Postings(b, size) for b in self._building)
        self._building = None
        self.repeated = {tid: tuple(names) for tid, names in self._repeated.items()}
        self.acronyms = {key: tuple(names) for key, names in self._acronyms.items()}
        self.abd = {tid: tuple(names) for tid, names in self._abd.items()}
        self._repeated, self._acronyms, self._shared = defaultdict(list), defaultdict(list), {}
        self._abd = defaultdict(list)
        # The key functions' own caches are for query words: left alone here (see tokenizer).
        phonetic_of = phonetic_key.__wrapped__
        consonants_of, vowelled = consonant_key.__wrapped__, has_vowel
        tables: tuple[list[int], ...] = ([], [], [], [])
        typo_keys, skeletons, phonetic, consonants = tables
        row = _KeyTable.row
        for tid, token in enumerate(self.tokens):
            if not self.plain[tid] and tid not in self.abd:
                # Only ever a join of two list tokens: reachable by its exact spelling (and the
                # query's deletions), which halves the build; a typo *and* a spacing change in
                # the same word is rarely met.
                typo_keys.append(row(token, tid))
                if not self.person and len(token) >= JOIN_SKELETON_MIN:
                    # ... and, in organisation names, by its skeleton: a spelling change in a
                    # name written in two words ("HARKATUL" / "HARAKAT UL", "ZAYKABAR" / "ZAY
                    # GABAR").
                    skeletons.append(row(skeleton(token), tid))
                continue
            typo_keys.extend(row(key, tid) for key in _deletions(token))
            if not self.person and (sound := english_sound(token)) != token:
                # TRADE is reached from TREYD (ТРЕЙД): see scoring._english_sound_similarity.
                typo_keys.extend(row(key, tid) for key in _deletions(sound))
            if len(token) >= 5:
                skeletons.append(row(skeleton(token), tid))
            if not self.person and len(token) >= PREFIX_KEY_MIN and token.isalpha():
                skeletons.append(row(_prefix_key(token), tid))
                skeletons.append(row(_suffix_key(token), tid))
            if token.isalpha() and len(token) >= 2:
                if self.person or len(token) >= 4 or (len(token) == 3 and vowelled(token)):
                    # (A three-letter word with a vowel: DIN / DEEN, ECO / EKO; see scoring.)
                    phonetic.append(row(phonetic_of(token), tid))
                if self.person:
                    keys = person_spelling_keys(token, cached=False)
                    phonetic.extend(row(key, tid) for key in keys)
                if vowelled(token):
                    consonants.append(row(consonants_of(token), tid))
        self.typo_keys, self.skeletons, self.phonetic, self.consonants = map(_KeyTable, tables)
        self.spellings = _KeyTable([row(token, tid) for tid, token in enumerate(self.tokens)])
        self.vocabulary = {}

    def similar(self, token: str, *, joined: bool = False) -> tuple[int, ...]:
        """Vocabulary tokens that pair with `token` (exact, one edit, or same skeleton).

        Remembered per partition (bounded): query words repeat across names ("ltd", common
        given names), and a re-screen asks a small change index about the same words again
        and again.
        """
        key = (token, joined)
        found = self._similar_memo.get(key)
        if found is None:
            if len(self._similar_memo) >= self.memo_max:
                self._similar_memo.clear()
            found = self._similar_memo[key] = self._similar(token, joined=joined)
        return found

    def _similar(self, token: str, *, joined: bool) -> tuple[int, ...]:
        reached: set[int] = set()
        self.typo_keys.reach(reached, *_deletions(token))
        person = self.person and not joined  # joins pair as plain spellings (see scoring)
        if not joined and len(token) >= 5:
            self.skeletons.reach(reached, skeleton(token))
        if not self.person and len(token) >= PREFIX_KEY_MIN and token.isalpha():
            if joined:
                # Two query words joined meet a listed word spelled otherwise, or three joined
                # ("CHONG CHON" / "CHONGCHONGANG"), not their first word's longer form
                # ("ZARGANOV MARBLE" / "ZARGANOV": the plain word reaches that one already).
                by_prefix: set[int] = set()
                self.skeletons.reach(by_prefix, _prefix_key(token))
                shortest = len(token) - JOIN_LENGTH_SLACK
                reached |= {t for t in by_prefix if len(self.tokens[t]) >= shortest}
            else:
                self.skeletons.reach(reached, _prefix_key(token), _suffix_key(token))
        if token.isalpha() and len(token) >= 2:
            if person or (
                not joined and (len(token) >= 4 or (len(token) == 3 and has_vowel(token)))
            ):
                self.phonetic.reach(reached, phonetic_key(token))
            if person:
                self.phonetic.reach(reached, *person_spelling_keys(token))
            if not has_vowel(token):
                key = consonant_key(token)
                self.consonants.reach(reached, key)
                if key.startswith("l"):  # the Arabic article written onto the name
                    self.consonants.reach(reached, key[1:])
                if person and len(key) >= 2:  # "bd" (عبد) / ABDUL: see scoring._abjad_pair
                    self.consonants.reach(reached, key + "l")
            if not person and not joined and (sound := english_sound(token)) != token:
                self.typo_keys.reach(reached, *_deletions(sound))  # TRADE -> TREYD (ТРЕЙД)
            if not person and not joined:  # ZAVOD / PLANT: see vocabulary.org_word_groups
                reached |= self._spelled(org_word_equivalents(token))
                # IRAN / IRANIAN, BURMA / MYANMAR: see scoring.token_similarity
                reached |= self._spelled(country_words(token))
            if person:
                reached |= self._spelled(nicknames_of(token))
                if len(token) <= 3 and ("o" in token or "u" in token):
                    # HON / HUN: see token_similarity (short names, O and U one vowel apart).
                    reached |= self._spelled(_o_u_spellings(token))
        tokens = self.tokens
        return tuple(t for t in reached if token_similarity(token, tokens[t], person=person))

    def _spelled(self, spellings: Iterable[str]) -> set[int]:
        """The vocabulary tokens spelled exactly so."""
        wanted = set(spellings)
        found: set[int] = set()
        self.spellings.reach(found, *wanted)
        tokens = self.tokens
        return {tid for tid in found if tokens[tid] in wanted}

    def candidates(
        self,
        query: NameForm,
        floor: float,
        coined_floor: float | None = None,
        limit: int | None = None,
    ) -> list[tuple[float, int]]:
        """``(score upper bound, name)`` for the names that can reach `floor`, best bound first.

        ``coined_floor`` (lower than `floor`): the names that share a coined word or a rare unit
        (``RARE_UNIT_NAMES``) with the query are candidates from that bound: the short-form,
        coined-word, acronym and join rules and the evidence stretch (``scoring.evidence_stretch``)
        score such names above their raw bound. Searching every name from it would cost half as
        much time again.

        ``limit``: at most that many of the names reaching `floor`, the best bounds, and at most
        as many more of the names sharing a coined word or a rare unit. Those are kept apart
        because their bounds understate them: "JOINT STOCK COMMERCIAL BANK RUBLEV" is bounded
        0.75 for "RUBLEV BANK", ranked 61st after shorter banks bounded as high or higher, and
        scores 0.94.

        The most common query units are left out of candidate generation as long as their
        weight together cannot reach the floor (a name holding only those cannot match); the
        rarer units generate candidates, whose held weight is then added up over all units with
        set intersections. For persons a name must also hold two different full-weight query
        tokens, or be a one-word name, or meet a query token as a join of two full words
        ("ABDULRAHMAN" / "ABDUL RAHMAN"): the scorer caps anything else below the floor.
        """
        size = len(query.tokens)
        reached = [self.similar(token) for token in query.tokens]
        reached_joins = [
            self.similar(query.tokens[i] + query.tokens[i + 1], joined=True)
            for i in range(size - 1)
        ]
        abd_reach: dict[int, set[int]] = {}
        if self.abd:
            tokens = self.tokens
            for span, governed in abd_units(query):
                # ABDULATIF is Abd al-Latif: the article's L may be the name's own.
                spellings = (governed,) if governed.startswith("l") else (governed, "l" + governed)
                same = [
                    t
                    for spelling in spellings
                    for t in self.similar(spelling)
                    if t in self.abd and same_governed_name(tokens[t], governed)
                ]
                abd_reach[span[-1]] = set().union(*(self.abd[t] for t in same))
        if (
            not any(reached)
            and not any(reached_joins)
            and not any(abd_reach.values())
            and not self._spells_any(query)
        ):
            # No query word or join meets the vocabulary: nothing can be a candidate. The common
            # case against a small index (a list change, in ongoing monitoring).
            return []
        units: list[_Unit] = []
        alone: set[int] = set()
        acronym_names: set[int] = set()  # names the query spells as an acronym
        seen: set[str] = set()
        for i, token in enumerate(query.tokens):
            tids = reached[i]
            # A token the query repeats ("MUSTAFA MUSTAFA") pairs twice only with a name
            # that holds it twice.
            if token in seen:
                plain = set().union(*(self.repeated.get(t, ()) for t in tids))
            else:
                plain = set().union(*(self.plain[t] for t in tids))
            seen.add(token)
            joined = set().union(*(self.joined[t] for t in tids))
            spelled = set(self.acronyms.get(token, ())) if len(token) >= 3 else set()
            units.append((query.weights[i], 1, plain | joined | spelled))
            acronym_names |= spelled
            alone |= set().union(*(self.joined_full[t] for t in tids))
            alone |= plain & self.single_word
        for i, members in abd_reach.items():
            # An Abd name reaches the names holding one that governs a name it pairs with (they
            # pair as one, see scoring.abd_units), from its governed word only: one word of the
            # query, as its other words count for the persons' two-word rule.
            weight, width, reach = units[i]
            units[i] = (weight, width, reach | members)
        for i, tids in enumerate(reached_joins):
            every = set().union(*(self.plain[t] for t in tids), *(self.joined[t] for t in tids))
            units.append((query.weights[i] + query.weights[i + 1], 2, every))
            if query.weights[i] == query.weights[i + 1] == 1.0:
                alone |= every
        need = _needed_gain(query, floor)
        skipped, generated = 0.0, set()
        for weight, _, members in sorted(units, key=lambda u: len(u[2]), reverse=True):
            if skipped + weight < need:
                skipped += weight
            else:
                generated |= members
        rescued: set[int] = set()
        if self.person:
            generated &= self._several(units, query.parts, query.weights) | alone
            rescued = self._rare_surname_names(query, units) - generated
            generated |= rescued
        spelled_by_runs = self._run_acronyms(
            query,
            [
                members if w >= 1.0 or query.tokens[i] not in ORG_NEUTRAL_WORDS else set()
                for i, (w, _, members) in enumerate(units[:size])
            ],
        )
        held = self._held(units, size, (generated - rescued) | spelled_by_runs.keys())
        self._add_runs(held, spelled_by_runs)
        out = self._bounded(query, held, need, floor, acronym_names)[:limit]
        if rescued:
            # Their other words may pair by a spelling no index key reaches: bounded as if all
            # did, and kept apart from the cut above, which their bounds of about 1 would lead.
            listed = {name_idx for _, name_idx in out}
            far = dict.fromkeys(rescued - listed, query.total)
            out += self._bounded(query, far, need, floor, acronym_names)[:limit]
        if coined_floor is not None and coined_floor < floor:
            proposed = {name_idx for _, name_idx in out}
            extra: set[int] = set()
            for i, (_, _, members) in enumerate(units):
                if members <= proposed:  # none, or every one proposed already
                    continue
                if i < size:
                    token = query.tokens[i]
                    if len(members) <= RARE_UNIT_NAMES and _distinctive_word(token):
                        extra |= members
                    elif is_coined(token):
                        # Through the words it pairs with that are no ordinary word: Dutch
                        # ORGANISATIE pairs with ORGANIZATION, and would bring every organisation.
                        tokens = self.tokens
                        for t in reached[i]:
                            if not is_ordinary(tokens[t]):
                                extra.update(self.plain[t], self.joined[t])
                else:
                    parts = query.tokens[i - size : i - size + 2]
                    if len(members) <= RARE_UNIT_NAMES and _distinctive_join(parts):
                        extra |= members
            extra -= proposed
            if extra:
                held = self._held(units, size, extra)
                self._add_runs(held, spelled_by_runs)
                need = _needed_gain(query, coined_floor)
                out += self._bounded(query, held, need, coined_floor, acronym_names)[:limit]
                self._best_first(out, size)
        return out

    def _run_acronyms(self, query: NameForm, holding: list[set[int]]) -> dict[int, float]:
        """Names holding a word that spells the initials of a run of query words, and a query
        word outside the run ("IRGC GROUND FORCES" for "ISLAMIC REVOLUTION GUARDS CORPS GROUND
        FORCE"), with the run's weight. `holding`: per query word, the names that hold it.

        A whole name spelled as an acronym is not enough: real companies' initials meet short
        listed names ("International Self Storage" / "ISS"). Initials as ``scoring.acronyms``
        reads them: of every word, or without the connectors.
        """
        out: dict[int, float] = {}
        tokens, size = query.tokens, len(query.tokens)
        if self.person or size < 4 or not any(holding):
            return out
        runs: dict[str, list[tuple[int, int]]] = defaultdict(list)
        # A number ends a run (the scorer would skip it): runs across one are not looked up.
        for start in range(size):
            every = without = ""
            for end in range(start + 1, min(size, start + RUN_ACRONYM_WORDS) + 1):
                token = tokens[end - 1]
                if not token.isalpha():
                    break
                every += token[0]
                without += "" if token in ACRONYM_SKIP else token[0]
                if end - start >= 3:  # (a run of the whole query has no word outside it)
                    for spelled in {every, without}:
                        if len(spelled) >= 3:
                            runs[spelled].append((start, end))
        if not runs:
            return out
        for tid in self._spelled(runs):
            names = self.plain[tid]
            for start, end in runs[self.tokens[tid]]:
                outside = holding[:start] + holding[end:]
                weight = sum(query.weights[start:end])
                for name_idx in names:
                    if out.get(name_idx, 0.0) < weight and any(name_idx in h for h in outside):
                        out[name_idx] = weight
        return out

    @staticmethod
    def _add_runs(held: dict[int, float], spelled_by_runs: dict[int, float]) -> None:
        """Add the weight of the query runs a held name spells as an acronym."""
        for name_idx, weight in spelled_by_runs.items():
            if name_idx in held:
                held[name_idx] += weight

    def _spells_any(self, query: NameForm) -> bool:
        """Whether a query word is an acronym of a listed organisation name."""
        acronyms = self.acronyms
        return any(len(token) >= 3 and token in acronyms for token in query.tokens)

    def _rare_surname_names(self, query: NameForm, units: list[_Unit]) -> set[int]:
        """Person names holding a rare, distinctive query word exactly or nearly (MARZUKI,
        BOONCHUA, VLASTIMIR: in at most ``RARE_UNIT_NAMES`` names, not a frequent name), for a
        query of two words or more. The scorer pairs their other words by Jaro-Winkler within two
        edits (ZULKEPLI / ZULKIFLI, DORDEVIC / DJORDJEVIC), which no index key reaches; a
        name whose other words do not pair is capped as sharing one word."""
        if query.full_parts < 2:
            return set()
        frequent = frequent_person_words()
        out: set[int] = set()
        for i, token in enumerate(query.tokens):
            weight, _, members = units[i]
            if (
                weight >= 1.0
                and 0 < len(members) <= RARE_UNIT_NAMES
                and len(token) >= 4
                and token not in frequent
                and _distinctive_word(token)
            ):
                out |= members
        return out

    @staticmethod
    def _several(
        units: list[_Unit], parts: tuple[int, ...], weights: tuple[float, ...]
    ) -> set[int]:
        """Names holding two full-weight units that stand for different query words.

        Spans are counted in words: "Abd-al-Munim" is one given name, not three. A join spans
        the words of its full-weight tokens: "ABD AL" of "ABD AL-BASIR" stands for ABD, not for
        BASIR, whose word its particle belongs to.
        """
        size = len(parts)
        spans = [{parts[i]} for i in range(size)]
        for i in range(size - 1):
            named = {parts[k] for k in (i, i + 1) if weights[k] == 1.0}
            spans.append(named or {parts[i], parts[i + 1]})
        full = [(spans[k], u[2]) for k, u in enumerate(units) if u[0] >= 1.0]
        several: set[int] = set()
        for a in range(len(full)):
            for b in range(a + 1, len(full)):
                if full[a][0].isdisjoint(full[b][0]):
                    several |= full[a][1] & full[b][1]
        return several

    @staticmethod
    def _held(units: list[_Unit], size: int, generated: set[int]) -> dict[int, float]:
        """Query weight each generated name holds (an upper bound of what can pair)."""
        held: dict[int, float] = dict.fromkeys(generated, 0.0)
        for weight, _, members in units[:size]:
            for name_idx in generated & members:
                held[name_idx] += weight
        for i, (_, _, members) in enumerate(units[size:]):
            # A join stands for two query tokens: add only what its parts did not already add.
            (w_a, _, m_a), (w_b, _, m_b) = units[i], units[i + 1]
            reach = generated & members
            for name_idx in reach - m_a - m_b:
                held[name_idx] += w_a + w_b
            for name_idx in reach & (m_a ^ m_b):
                held[name_idx] += max(w_a, w_b)
        return held

    def _bounded(
        self,
        query: NameForm,
        held: dict[int, float],
        need: float,
        floor: float,
        acronym_names: set[int],
    ) -> list[tuple[float, int]]:
        # Score bound: the query side from the weight held; the list side from its heaviest
        # tokens, as many as the query can pair (a query token pairs at most two list tokens).
        size = len(query.tokens)
        cost = PERSON_UNPAIRED_COST if self.person else 1.0
        q_total, reach = query.total or 1.0, 2 * len(query.tokens)
        q_discount = _patronymic_discount(query) if self.person else 0.0
        out: list[tuple[float, int]] = []
        for name_idx, gain in held.items():
            if gain < need:
                continue
            gain = min(gain, q_total)
            cumulative = self.cumulative[name_idx]
            # An acronym pairs as many list tokens as it has letters.
            span = len(cumulative) if name_idx in acronym_names else reach
            l_gain = cumulative[min(span, len(cumulative)) - 1]
            l_rest = max(0.0, self.collapsed[name_idx] - l_gain)
            q_rest = max(0.0, q_total - q_discount - gain)
            bound = (gain / (gain + cost * q_rest) + l_gain / (l_gain + cost * l_rest or 1.0)) / 2
            if self.person and (q_rest or l_rest):
                # Middle names one side leaves out cost less when the other side pairs whole
                # (scoring.MIDDLE_NAME_UNPAIRED_COST): the list side, when the list name has
                # more than the query can pair; else the query side.
                mid = MIDDLE_NAME_UNPAIRED_COST
                if l_rest:
                    bound = max(bound, (1 + l_gain / (l_gain + mid * l_rest)) / 2)
                else:
                    bound = max(bound, (gain / (gain + mid * q_rest) + 1) / 2)
            if bound >= floor:
                out.append((bound, name_idx))
        self._best_first(out, size)
        return out

    def _best_first(self, bounded: list[tuple[float, int]], size: int) -> None:
        """Sort candidates by bound. Equal bounds are common ("ABD AL HADI" and every longer
        "Abd al-Hadi ..."): the names closest in length to the query come first, as they are the
        likelier full matches."""
        lengths = self.lengths
        bounded.sort(key=lambda item: (-item[0], abs(lengths[item[1]] - size)))


def _patronymic_discount(form: NameForm) -> float:
    """How much less than their weight the name's patronymics may cost when left out
    (``scoring.PATRONYMIC_UNPAIRED_COST``): the candidate bounds count them at that cost, so
    they stay upper bounds."""
    return sum(
        weight * (1 - PATRONYMIC_UNPAIRED_COST / PERSON_UNPAIRED_COST)
        for token, weight in zip(form.tokens, form.weights, strict=True)
        if is_patronymic(token)
    )


def _distinctive_word(token: str) -> bool:
    """A word of three letters or more that is no ordinary word ("NII", "IRGC"): a number, a
    letter or an ordinary word is in few names of a list change's small index too, and so
    proposes names for no reason."""
    return len(token) >= 3 and token.isalpha() and not is_ordinary(token)


def _distinctive_join(parts: Sequence[str]) -> bool:
    """Two query words whose join may be a listed word ("SELK BAF" / "SELKBAF"): neither a
    single letter, not both ordinary ("INVESTMENT GROUP", "GLOBAL X" are not)."""
    return all(len(p) >= 2 for p in parts) and not all(is_ordinary(p) for p in parts)


def _raw_floor(floor: float, stretch: float = COINED_VARIANT_STRETCH) -> float:
    """The score before the evidence stretch (scoring.evidence_stretch) from which an
    organisation's name can reach `floor` after it: candidate bounds are raw scores."""
    return max(0.0, 1.0 - (1.0 - floor) / stretch)


def _needed_gain(query: NameForm, floor: float) -> float:
    """Least query weight a name must pair to reach `floor` if all its own tokens pair."""
    coverage = max(0.0, 2 * floor - 1)
    if query.person:
        # q_cov = g / (g + c (T - g)) >= coverage  <=>  g >= c T cov / (1 - cov + c cov)
        c = MIDDLE_NAME_UNPAIRED_COST  # the least a left-out word other than a patronymic costs
        total = query.total - _patronymic_discount(query)
        return c * total * coverage / (1 - coverage + c * coverage)
    return query.total * coverage


class ScreeningIndex:
    """Immutable once built; safe to share between threads."""

    def __init__(
        self,
        entities: Iterable[ListEntity],
        *,
        stamp: str = "",
        similar_memo: int = SIMILAR_MEMO_MAX,
    ) -> None:
        """``similar_memo``: query words whose vocabulary matches each partition remembers."""
        self.stamp = stamp
        self._entities: list[_Entity] = []
        # Per name: its entity, and its prepared form (two lists: a tuple per name cost 64 bytes).
        self._name_entities = array("i")
        self._names: list[NameForm] = []
        self._partitions = {
            person: _Partition(person=person, memo_max=similar_memo) for person in (True, False)
        }
        self._identifiers: dict[str, list[int]] = defaultdict(list)
        self._country_sets: dict[frozenset[str], frozenset[str]] = {}
        for entity in entities:
            self._add(entity)
        for partition in self._partitions.values():
            partition.finish()
        org_word_groups()  # read with the index (0.1 s), not by the first query that needs it
        common_words()  # likewise (58,000 words, 0.5 MB)
        self._country_sets = {}
        # Words the organisation names use in their own right (not only inside a join): a query
        # word among them is a word, not a misspelling of a look-alike (see scoring._near_word).
        org = self._partitions[False]
        self._org_words = frozenset(t for tid, t in enumerate(org.tokens) if org.plain[tid])

    def __len__(self) -> int:
        return len(self._entities)

    @property
    def name_count(self) -> int:
        return len(self._names)

    def _add(self, entity: ListEntity) -> None:
        entity_idx = len(self._entities)
        identifiers = frozenset(
            value
            for value in (normalise_identifier(i) for i in entity.identifiers)
            if len(value) >= MIN_IDENTIFIER_LENGTH
        )
        countries = frozenset(filter(None, (country_key(c) for c in entity.countries)))
        # Most entities have no identifier or country: share one empty set; and the few
        # distinct country sets (216 bytes each) are held once.
        countries = self._country_sets.setdefault(countries, countries)
        self._entities.append(_Entity(entity, countries or NO_WORDS, identifiers or NO_WORDS))
        for value in identifiers:
            self._identifiers[value].append(entity_idx)
        person = entity.entity_type == PERSON
        seen: set[tuple[str, ...]] = set()
        names = (entity.primary_name, *entity.aliases)
        for name in (*names, *(unbracketed(n) for n in names if "(" in n)):
            form = prepare(name, person=person, cached=False)
            if not form.tokens or form.tokens in seen:
                continue
            seen.add(form.tokens)
            name_idx = len(self._names)
            form = self._partitions[person].add(name_idx, form)
            self._name_entities.append(entity_idx)
            self._names.append(form)

    def search(
        self,
        name: str,
        *,
        qualifiers: Qualifiers,
        floor: float | ByPartition,
        limit: int,
        at_least: float | ByPartition | None = None,
        match_at: ByPartition | None = None,
    ) -> list[Match]:
        """Entities whose best name scores at least `floor`, best first, at most `limit`.

        ``at_least``: only entities scoring that much are wanted (the match threshold, when near
        misses are not reported). Candidates are still generated from `floor`: the candidate
        bounds are tight only with its margin (the short-form and legal-form rules score some
        names above their bound), so raising the floor itself would lose matches. Either may
        differ between person names and the others (:class:`ByPartition`).

        ``match_at``: the match thresholds. An organisation's name that shares a coined word is
        stretched up after scoring (``scoring.evidence_stretch``), so candidates that can reach
        the organisations' threshold that way are generated too: the whole partition from the
        weaker stretch's raw score, and the names sharing a coined word or a rare unit with the
        query from the stronger one's (``_Partition.candidates``' ``coined_floor``).
        """
        if not isinstance(floor, ByPartition):
            floor = ByPartition(floor, floor)
        if at_least is not None and not isinstance(at_least, ByPartition):
            at_least = ByPartition(at_least, at_least)
        # Both partitions are searched: type is a qualifier, not a filter. A name of the other
        # type pays TYPE_MISMATCH_PENALTY, so it is looked for with a floor raised by as much.
        # A partition where even an exact name, with an agreeing country, scores below
        # `at_least` is not searched (a typed query's other partition in ongoing monitoring).
        # Identifiers reach an entity whatever its partition (below).
        wanted = qualifiers.entity_type
        best_possible = 1.0 + (COUNTRY_MATCH_BONUS if qualifiers.country else 0.0)
        floors: dict[bool, float] = {}
        coined_floor: float | None = None
        for person in (True, False):
            mismatch = wanted != "any" and (wanted == PERSON) != person
            penalty = TYPE_MISMATCH_PENALTY if mismatch else 0.0
            if at_least is None or best_possible - penalty >= at_least.of(person):
                floors[person] = floor.of(person) + penalty
                if match_at is not None and not person:
                    stretched = _raw_floor(match_at.other + penalty)
                    floors[person] = min(floors[person], stretched)
                    if not mismatch:  # a person's name matches no organisation on a word
                        coined_floor = min(
                            floors[person] - RARE_FLOOR_MARGIN,
                            _raw_floor(match_at.other, COINED_STRETCH),
                        )
        forms: dict[bool, NameForm] = {}

        def form_of(person: bool) -> NameForm:
            if person not in forms:
                forms[person] = prepare(name, person=person, max_tokens=MAX_QUERY_WORDS)
            return forms[person]

        best: dict[int, _Scored] = {}
        cache: SimilarityCache = {}
        for i, text in enumerate([name, *alternative_names(name)]):
            for person, partition_floor in floors.items():
                form = form_of(person) if i == 0 else prepare(text, person=person)
                if not form.tokens:
                    continue
                bounded = self._partitions[person].candidates(
                    form, partition_floor, None if person else coined_floor, MAX_CANDIDATES
                )
                for _, name_idx in bounded:
                    entity_idx, listed = self._name_entities[name_idx], self._names[name_idx]
                    self._consider(best, entity_idx, form, listed, qualifiers, cache)
        for value in qualifiers.identifiers:
            for entity_idx in self._identifiers.get(value, ()):
                if entity_idx not in best:  # otherwise scored with its identifier already
                    person = self._entities[entity_idx].entity.entity_type == PERSON
                    self._consider_identifier(best, entity_idx, form_of(person), qualifiers)
        wanted_score = {
            person: floor.of(person)
            if at_least is None
            else max(floor.of(person), at_least.of(person))
            for person in (True, False)
        }
        entities = self._entities
        ranked = sorted(
            (
                (score, idx)
                for idx, (score, _, _) in best.items()
                if score >= wanted_score[entities[idx].entity.entity_type == PERSON]
            ),
            key=lambda item: (
                -item[0],
                entities[item[1]].entity.list_source,
                entities[item[1]].entity.entity_id,
            ),
        )
        return [self._explained(idx, *best[idx][1:], qualifiers) for _, idx in ranked[:limit]]

    def _explained(
        self, entity_idx: int, query: NameForm, listed: NameForm, qualifiers: Qualifiers
    ) -> Match:
        score, explanation = self._score(entity_idx, query, listed, qualifiers, None, True)
        return Match(self._entities[entity_idx].entity, listed.text, score, explanation)

    def _score(
        self,
        entity_idx: int,
        query: NameForm,
        listed: NameForm,
        qualifiers: Qualifiers,
        cache: SimilarityCache | None,
        explain: bool,
    ) -> tuple[float, dict[str, Any]]:
        score, explanation = score_name(
            query, listed, cache, explain=explain, known_words=self._org_words
        )
        item = self._entities[entity_idx]
        score = qualify(
            score,
            explanation,
            qualifiers=qualifiers,
            entity_type=item.entity.entity_type,
            countries=item.countries,
            identifiers=item.identifiers,
        )
        return score, explanation

    def _consider(
        self,
        best: dict[int, _Scored],
        entity_idx: int,
        query: NameForm,
        listed: NameForm,
        qualifiers: Qualifiers,
        cache: SimilarityCache | None = None,
    ) -> None:
        score, _ = self._score(entity_idx, query, listed, qualifiers, cache, False)
        current = best.get(entity_idx)
        if current is None or score > current[0]:
            best[entity_idx] = (score, query, listed)

    def _consider_identifier(
        self,
        best: dict[int, _Scored],
        entity_idx: int,
        query: NameForm,
        qualifiers: Qualifiers,
    ) -> None:
        item = self._entities[entity_idx]
        listed = prepare(item.entity.primary_name, person=item.entity.entity_type == PERSON)
        self._consider(best, entity_idx, query, listed, qualifiers)


def build_qualifiers(
    *, entity_type: str, country: str | None, identifiers: Sequence[str]
) -> Qualifiers:
    """Normalise the caller's qualifiers once per query."""
    return Qualifiers(
        entity_type=entity_type,
        country=country_key(country),
        identifiers=frozenset(
            v
            for v in (normalise_identifier(i) for i in identifiers)
            if len(v) >= MIN_IDENTIFIER_LENGTH
        ),
    )
