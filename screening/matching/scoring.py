"""Explainable name comparison: prepared name forms and a per-feature score.

The score of one query name against one list name is built from features an analyst can read back:

* ``name``: weighted token alignment. Every token of both names is paired with at most one token
  of the other (order free, typos tolerated through Jaro-Winkler, phonetic skeletons and initials,
  two adjacent tokens may pair with their concatenation). Coverage is measured on both sides;
  generic words ("trading", "international", "al") weigh 0.2, so sharing only them scores low.
  Persons: an unpaired token costs half (missing middle names and patronymics are common).
* ``single_token``: a person who shares only one name token (a first name, a surname) is capped.
* ``partial_overlap``: organisations sharing at most one distinctive word, where one name has a
  descriptive word the other lacks ("Alco Energy" / "ALCO", "ISLAND" / "GREEN ISLAND"): that word
  costs as a distinctive word, not as a generic one.
* ``near_word``: organisations whose only shared distinctive word is a one-edit near spelling
  that is a word in its own right ("INVEST" / "INOVEST") lose ``NEAR_WORD_PENALTY``.
* ``numbers``: numbers in names must agree, or the score is capped.
* ``legal_form``, ``type``, ``country``: qualifiers that move the score a little, never make it.
* ``identifier``: an identifier present on both sides is strong evidence on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import OSA, JaroWinkler

from screening.matching.countries import countries_of_word, is_place_word
from screening.matching.normalize import (
    TOKEN_PAIRS_REMEMBERED,
    WORDS_REMEMBERED,
    consonant_key,
    has_digit,
    has_vowel,
    name_parts,
    skeleton,
    tokenize,
    tokenizer,
    undoubled,
)
from screening.matching.variants import (
    SAME_NAME,
    english_sound,
    expand_abbreviations,
    nickname_group,
    numerals,
    phonetic_key,
)
from screening.matching.vocabulary import (
    GENERIC_ORG_WORDS,
    ORG_NEUTRAL_WORDS,
    PERSON_PARTICLES,
    TRADE_WORD_SET,
    common_words,
    frequent_person_words,
    same_org_word,
    split_legal_forms,
    strip_person_titles,
)

TOKEN_MIN_SIMILARITY = 0.85
TRANSLITERATION_SIMILARITY = 0.88
NICKNAME_SIMILARITY = 0.9
SHORT_NAME_SIMILARITY = 0.86
ACRONYM_SIMILARITY = 0.9
SYMBOL_SIMILARITY = 0.87
DOUBLED_LETTER_SIMILARITY = 0.95
WORD_FORM_SIMILARITY = 0.86
WORD_STEM_MIN = 7
VOWEL_SWAP_MIN_LENGTH = 6
WEAK_ALIAS_CAP = 0.8
GENERIC_WEIGHT = 0.3
PARTICLE_WEIGHT = 0.2
INITIAL_WEIGHT = 0.3
PERSON_UNPAIRED_COST = 0.5
# A patronymic one name leaves out (VALENTIN VALENTINOVICH DEMIDOV / VALENTYN DEMYDOV) costs this
# much instead of PERSON_UNPAIRED_COST.
PATRONYMIC_UNPAIRED_COST = 0.1
# Middle names one name leaves out, when the other's first and last words pair with its first
# and last and a paired word is a rare name ("Yahya SINWAR" / "Yahya Ibrahim Hassan SINWAR").
MIDDLE_NAME_UNPAIRED_COST = 0.25
# ... the rare word that proves it, in both names at least this long: a Chinese or Korean
# syllable (LI XU / LI KAI SHOU, whose XU pairs with SHOU) is no such proof.
MIDDLE_NAME_RARE_LENGTH = 4
SINGLE_TOKEN_CAP = 0.6
NUMBER_MISMATCH_CAP = 0.6
TYPE_MISMATCH_PENALTY = 0.2
COUNTRY_MISMATCH_PENALTY = 0.05
COUNTRY_MATCH_BONUS = 0.02
LEGAL_FORM_MISMATCH_PENALTY = 0.03
IDENTIFIER_SCORE = 0.97
PARTIAL_OVERLAP_MAX_SHARED = 1
CONTAINED_MIN_SHARED = 2
CONTAINED_MIN_COVERAGE = 0.95
NEAR_WORD_PENALTY = 0.1
NEAR_WORD_MAX_LENGTH = 7
COINED_WORD_MIN_LENGTH = 6
EVIDENCE_MIN_LENGTH = 4  # a coined word's least length when the query adds nothing

PERSON = "person"
# One shared empty set for the many names without acronyms, numbers, countries or identifiers
# (each empty frozenset costs 216 bytes; the index holds one per listed name).
NO_WORDS: frozenset[str] = frozenset()
_LATIN_LETTER = re.compile("[A-Za-z]")
ORGANIZATION = "organization"


@dataclass(frozen=True, slots=True)
class NameForm:
    """A name prepared for comparison, as a person's or an organisation's name."""

    text: str
    person: bool
    tokens: tuple[str, ...]
    weights: tuple[float, ...]
    legal_forms: tuple[str, ...]
    numbers: frozenset[str]
    joined: str
    total: float
    parts: tuple[int, ...]  # per token: the word it belongs to (hyphenated pieces share one)
    full_parts: int  # words holding a full-weight token
    # Organisations: initials of the name with its legal-form words ("NIOC" for NATIONAL IRANIAN
    # OIL COMPANY, whose "company" is stripped as a legal form), besides those of `tokens`.
    form_acronyms: frozenset[str] = frozenset()


def _weight(token: str, person: bool) -> float:
    if len(token) == 1 and not token.isdigit():
        return INITIAL_WEIGHT
    if not person and token.isdigit():
        # A number must agree (see the numbers cap); sharing one proves little ("FIRST ... BANK").
        return GENERIC_WEIGHT
    if person:
        return PARTICLE_WEIGHT if token in PERSON_PARTICLES else 1.0
    return GENERIC_WEIGHT if token in GENERIC_ORG_WORDS else 1.0


def prepare(
    text: str, *, person: bool, cached: bool = True, max_tokens: int | None = None
) -> NameForm:
    """Normalise ``text`` as a person's or an organisation's name.

    ``cached=False`` leaves the tokenizer's cache alone (see :func:`tokenizer`): an index build
    prepares each listed name once. ``max_tokens``: only the name's first words are read (a
    screened name's cost grows with its words).
    """
    split = tokenizer(cached=cached)
    tokens = split(text)
    if max_tokens is not None and len(tokens) > max_tokens:
        tokens = tokens[:max_tokens]
    forms: tuple[str, ...] = ()
    parts = name_parts(text, cached=cached) if person else tuple(range(len(tokens)))
    if len(parts) != len(tokens):
        parts = tuple(range(len(tokens)))
    if person:
        # Titles are the Latin-script words of the rigour table ("Hon", "Dr"); a name written in
        # another script keeps its words: Khmer "ហ៊ុន" is the surname Hun, transliterated "hon".
        stripped = strip_person_titles(tokens) if _LATIN_LETTER.search(text) else tokens
        parts, tokens = parts[len(tokens) - len(stripped) :], stripped
    form_acronyms = NO_WORDS
    if not person:
        tokens = _without_acronym_note(text, tokens, split)
        whole = tokens
        tokens, forms = split_legal_forms(tokens)
        if forms and (spelled := acronyms(numerals(whole)) - acronyms(numerals(tokens))):
            form_acronyms = frozenset(spelled)
        spelled_out = numerals(tokens)
        tokens = expand_abbreviations(spelled_out)
        if SAME_NAME in tokens and SAME_NAME not in spelled_out:
            # "ISLAMIC STATE WEST AFRICA PROVINCE" is ISWAP by the initials of its words as
            # written, which the one word for the Islamic State no longer shows.
            form_acronyms = form_acronyms | acronyms(spelled_out)
        parts = tuple(range(len(tokens)))
    weights = tuple(_weight(t, person) for t in tokens)
    numbers = frozenset(t for t in tokens if has_digit(t)) or NO_WORDS
    full_parts = len({p for p, w in zip(parts, weights, strict=True) if w == 1.0})
    return NameForm(
        text,
        person,
        tokens,
        weights,
        forms,
        numbers,
        "".join(tokens),
        sum(weights),
        parts,
        full_parts,
        form_acronyms,
    )


_TRAILING_NOTE = re.compile(r"\(([^()]*)\)\W*$")


def _without_acronym_note(
    text: str, tokens: tuple[str, ...], split: Callable[[str], tuple[str, ...]] = tokenize
) -> tuple[str, ...]:
    """An organisation name without its own acronym in trailing brackets.

    Lists write "TEHRIK-E TALIBAN PAKISTAN (TTP)", "HILAL AHMAR SOCIETY INDONESIA (HASI)": the
    bracketed acronym is another name of the same entity, not a word of this one, and left in
    it would count as a distinctive word the query lacks. Dropped when its letters are, in
    order, initials of the words before it.
    """
    note = _TRAILING_NOTE.search(text)
    if note is None:
        return tokens
    inner = split(note.group(1))
    letters = "".join(inner)
    if not inner or len(inner) > 2 or len(letters) < 2 or not letters.isalpha():
        return tokens
    head = tokens[: len(tokens) - len(inner)]
    if len(head) < 2 or tokens[len(head) :] != inner:
        return tokens
    initials = iter(t[0] for t in head)
    if all(any(letter == initial for initial in initials) for letter in letters):
        return head
    return tokens


def _max_edits(length: int) -> int:
    return 1 if length <= 7 else 2 if length <= 12 else 3


def _abjad_pair(a: str, b: str, minimum: int) -> bool:
    """One token written without vowels (transliterated Arabic, Persian, Hebrew), the other with
    them, and the same consonants ("mhmd" / "mohammed"; "lftwry" / "fitouri" with the article)."""
    if has_vowel(a) == has_vowel(b):
        return False
    bare, full = (a, b) if not has_vowel(a) else (b, a)
    key_full, key_bare = consonant_key(full), consonant_key(bare)
    if len(key_full) < minimum or len(bare) < 2:
        return False
    return (
        key_bare == key_full
        or (key_bare.startswith("l") and key_bare[1:] == key_full)
        # "عبد الرحمن" is ABD AL-RAHMAN: the article goes with the next word in Arabic script
        # ("bd lrhmn"), with the first in "ABDUL RAHMAN".
        or (minimum == 1 and len(key_bare) >= 2 and key_full == key_bare + "l")
    )


@lru_cache(maxsize=TOKEN_PAIRS_REMEMBERED)
def token_similarity(a: str, b: str, *, person: bool) -> float:
    """Similarity of two tokens in [0, 1]; 0 below the pairing threshold.

    Jaro-Winkler decides, but only within a few edits (a typo, not a different word that shares
    a prefix: BELLETECH / BALTECH). In organisation names a word pairs with its longer form
    (INVEST / INVESTMENT) and long words with their consonant skeleton. Also paired:
    transliteration variants with the same phonetic key (YEVGENY / EVGENIY, XI / SHI, QASIM /
    KASSIM), abjad spellings without vowels (MHMD /
    MOHAMMED); in person names nicknames (BILL / WILLIAM), consonant skeletons (HUSSEIN / HUSAYN)
    and a dropped letter in a three-letter name (PAK / PARK). In organisation names also: one
    descriptor in two languages (ZAVOD / PLANT, PROEKT / PROJECT: vocabulary.org_word_groups), a
    doubled letter (HAQQ / HAQ), one phonetic key in a four-letter word (GHODS / QODS; NIROO /
    NIRU) or a three-letter one with vowels (DIN / DEEN), one vowel changed inside a word of six
    letters or more (JAMAAH / JEMAAH), two words naming one country (IRAN / IRANIAN, BURMA /
    MYANMAR), and the same skeleton in two words of one length give or take a letter that start
    and end alike (HEZBOLLAH / HIZBALLAH; BELLETECH / BALTECH stay apart). Two words naming
    different countries never pair (IRAN / IRAQ, NIGER / NIGERIA). In person names also: one
    key with each run of vowels as one vowel, H as G and DZ as D, Belarusian U as V (SUHAIL /
    SAHEIL, HENNADIY / GENNADY, NAZARAU / NAZAROV; not two names of their own: HASAN / HUSAYN),
    a four-letter name's first vowel I / E or A / O / U (IYAD / EYAD), and Korean CH / J (CHO /
    JO).
    """
    if a == b:
        return 1.0
    if not (a.isalpha() and b.isalpha()):
        return 0.0  # numbers must agree exactly
    if not person:
        # (Cheap tests first: this runs for every pair of organisation words compared.)
        if len(a) != len(b) and a[0] == b[0] and undoubled(a) == undoubled(b):
            return DOUBLED_LETTER_SIMILARITY  # HAQQ / HAQ, SAYYED / SAYED
        least = 0.0
        # ZAVOD / PLANT, PROEKT / PROJECT: one descriptor in two languages; the rules below may
        # pair them closer (DIAMOND / DIAMONDS as a typo).
        if same_org_word(a, b):
            least = SYMBOL_SIMILARITY
        if countries := countries_of_word(a):
            others = countries_of_word(b)
            if others and countries.isdisjoint(others):
                return 0.0  # IRAN / IRAQ are a typo apart and two countries
            if others:
                least = max(least, WORD_FORM_SIMILARITY)  # IRAN / IRANIAN, BURMA / MYANMAR
        if least:
            return max(least, _spelling_similarity(a, b, person))
        return _spelling_similarity(a, b, person) or _english_sound_similarity(a, b)
    return _spelling_similarity(a, b, person)


def _one_sound_apart(a: str, b: str) -> bool:
    """Two spellings of one length that differ in one letter, a vowel for a vowel or C / K."""
    diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(diff) == 1 and (set(diff[0]) <= set("aeiouy") or set(diff[0]) == {"c", "k"})


def _english_sound_similarity(a: str, b: str) -> float:
    """An English word of an organisation's name against its spelling by ear in Cyrillic,
    transliterated: TRADE / TREYD (ТРЕЙД), SECURITY / SEKYURITI, AND / END (``english_sound``);
    give or take a doubled letter (GROUP / GRUPP) or, in six letters or more, one vowel for
    another or C for K (CONSULTING / KONSALTING, TECHNOLOGY / TEKHNOLODZHI). Only so close: the
    rules already guess at a sound, and a fuzzier test paired other words ("DAMI.MB" / DIMABE,
    ISLAND / ICELAND)."""
    for word, other in ((a, b), (b, a)):
        sound = english_sound(word)
        if sound == other:
            return TRANSLITERATION_SIMILARITY
        if sound != word and sound[0] == other[0] and len(other) >= 4:
            if undoubled(sound) == undoubled(other):
                return TRANSLITERATION_SIMILARITY
            if len(sound) == len(other) >= 6 and _one_sound_apart(sound, other):
                return TRANSLITERATION_SIMILARITY
    return 0.0


def _spelling_similarity(a: str, b: str, person: bool) -> float:
    """``token_similarity`` past the exact, number, doubled-letter, descriptor and country
    tests."""
    if len(a) == 1 or len(b) == 1:
        # An initial stands for any name with that first letter, but only in a person's name.
        return 0.9 if person and a[0] == b[0] else 0.0
    if person and nickname_group(a) & nickname_group(b):
        return NICKNAME_SIMILARITY
    shortest = min(len(a), len(b))
    if not person and shortest in (3, 4) and _abbreviated(a, b):
        return WORD_FORM_SIMILARITY  # ENG / ENGINEERING, CON / CONSTRUCTION, TECH / TECHNOLOGY
    if shortest <= 3 or (shortest == 4 and a[0] != b[0]):
        # Short words must agree, or at least start alike: one letter changes them (OMEGA / MEGA).
        if (
            person
            and shortest == 3
            and abs(len(a) - len(b)) == 1
            and a[0] == b[0]
            and OSA.distance(a, b, score_cutoff=1) <= 1
        ):
            return SHORT_NAME_SIMILARITY
        if person and len(a) == len(b) and a.replace("u", "o") == b.replace("u", "o"):
            # O and U are one vowel apart in many romanisations (Khmer HUN written "hon", Korean
            # JONG / JUNG): in a short name they are the same name.
            return SHORT_NAME_SIMILARITY
        if (
            # Korean syllables: CH and J are one consonant in two romanisations (CHO / JO,
            # CHIN / JIN, CHUNG / JUNG); only Korean syllables (not CHEN / JEN, CHAN / JAN).
            person
            and a[0] != b[0]
            and (korean := _korean_syllable(a)) is not None
            and korean == _korean_syllable(b)
        ):
            return SHORT_NAME_SIMILARITY
        if (
            # IYAD / EYAD, IMAD / EMAD, ALEG / OLEG (Belarusian): only the first vowel differs,
            # I for E, or O for A or U (not ALYA / ILYA, EMIL / AMIL).
            person
            and shortest == 4
            and len(a) == len(b)
            and a[0] in _FIRST_VOWEL_CLASS
            and b[0] in _FIRST_VOWEL_CLASS
            and _FIRST_VOWEL_CLASS[a[0]] == _FIRST_VOWEL_CLASS[b[0]]
            and a[1:] == b[1:]
        ):
            return SHORT_NAME_SIMILARITY
        # DIN / DEEN, NUR / NOOR: a long vowel written twice in a three-letter word.
        if (
            not person
            and shortest == 3
            and a[0] == b[0]
            and has_vowel(a)
            and has_vowel(b)
            and len(key := phonetic_key(a)) >= 3
            and key == phonetic_key(b)
        ):
            # Not acronyms (CMC / KMC share a key): only words with vowels and one first
            # letter.
            return TRANSLITERATION_SIMILARITY
        # A four-letter organisation word may be a transliteration (GHODS / QODS) if its
        # phonetic key keeps four letters.
        return _transliterated(a, b, person or (shortest == 4 and len(phonetic_key(a)) >= 4))
    sim = JaroWinkler.normalized_similarity(a, b)
    if sim >= TOKEN_MIN_SIMILARITY:
        limit = _max_edits(min(len(a), len(b)))
        if OSA.distance(a, b, score_cutoff=limit) <= limit:
            return sim
    elif not person and len(a) == len(b) >= VOWEL_SWAP_MIN_LENGTH and _one_vowel_apart(a, b):
        # JAMAAH / JEMAAH: Jaro-Winkler marks a change near the start of a short word down.
        return TRANSLITERATION_SIMILARITY
    if not person and shortest >= 5 and abs(len(a) - len(b)) <= 4:
        # A word and its longer form in organisation names: INVEST / INVESTMENT.
        short, long = (a, b) if len(a) < len(b) else (b, a)
        if long.startswith(short):
            return WORD_FORM_SIMILARITY
    if not person and shortest >= WORD_STEM_MIN:
        # Two forms of one word: METALLURGY / METALLURGICAL, INDUSTRIAL / INDUSTRIES: a long
        # shared stem, and at most two letters of the shorter word after it.
        stem = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), shortest)
        if stem >= WORD_STEM_MIN and stem >= shortest - 2:
            return WORD_FORM_SIMILARITY
    if not person and shortest >= ADJECTIVE_STEM_MIN and _adjectival_pair(a, b):
        return WORD_FORM_SIMILARITY
    skeleton_close = (
        (person and sim >= 0.8)
        or (sim >= 0.85 and shortest >= 6)
        or (sim >= 0.8 and shortest >= 5 and abs(len(a) - len(b)) <= 1 and _same_ends(a, b))
    )
    if skeleton_close and abs(len(a) - len(b)) <= 2:
        key = skeleton(a)
        if len(key) >= 3 and key == skeleton(b):
            return TRANSLITERATION_SIMILARITY
    if not person and shortest == 4 and len(key := phonetic_key(a)) >= 4 and key == phonetic_key(b):
        # NIROO / NIRU: one phonetic key of four letters, as four-letter words with different
        # first letters above (GHODS / QODS).
        return TRANSLITERATION_SIMILARITY
    if (
        # A person's name transliterated with other vowels (SUHAIL / SAHEIL, ZUHAIR / ZOHER):
        # Arabic script leaves short vowels unwritten. Not two words that are each a name or a
        # word of their own (HASAN / HUSAYN, HISHAM / HASHIM: see _two_names).
        person and (blind := _vowel_blind(a)) and blind == _vowel_blind(b) and not _two_names(a, b)
    ):
        return TRANSLITERATION_SIMILARITY
    if person and _same_father(a, b):
        return TRANSLITERATION_SIMILARITY
    return _transliterated(a, b, person or shortest >= 5)


def _abbreviated(a: str, b: str) -> bool:
    """One word the first three or four letters of the other, a descriptor (ENGINEERING,
    CONSTRUCTION): "HESCO ENG. & CON. CO" is "HESCO ENGINEERING & CONSTRUCTION CO". Only
    descriptors are cut so (SAKHA is not short for SAKHATRANS)."""
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return len(long) >= len(short) + 3 and long.startswith(short) and long in GENERIC_ORG_WORDS


def _one_vowel_apart(a: str, b: str) -> bool:
    """Same length, one letter apart, and that letter a vowel in both, not the first."""
    diffs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(diffs) == 1 and a[0] == b[0] and diffs[0][0] in "aeiou" and diffs[0][1] in "aeiou"


# Transliterated Russian adjectives against the English word their listing translates them with
# ("BUNKERNAYA" / "BUNKERING", "STIVIDORNAYA" / "STEVEDORING"), and a place's adjective against
# the place ("SAMARSKIY" / "SAMARA"). Where the stems differ more ("TEKHNICHESKAYA" /
# "TECHNICAL"), the descriptor groups (vocabulary.org_word_groups) pair them or nothing does.
_RUSSIAN_ADJECTIVE_ENDINGS = (
    "naya", "nyy", "nyi", "nyj", "noe", "noye", "nye", "nykh", "nogo",
    "skaya", "skiy", "skii", "skij", "skoe", "skoye", "skie", "skikh",
    "ovaya", "ovyy", "ovyi", "ovoe", "ovye",
)  # fmt: skip
_ENGLISH_ENDINGS = ("ing", "ical", "ic", "al", "ian", "an", "y")
ADJECTIVE_STEM_MIN = 5


def _adjectival_pair(a: str, b: str) -> bool:
    """One word a transliterated Russian adjective, the other an English word of one stem."""
    for ru, en in ((a, b), (b, a)):
        if not ru.endswith(_RUSSIAN_ADJECTIVE_ENDINGS):  # most words: one test
            continue
        ending = next(e for e in _RUSSIAN_ADJECTIVE_ENDINGS if ru.endswith(e))
        stem = ru[: -len(ending)]
        if len(stem) < ADJECTIVE_STEM_MIN:
            continue
        for english in _ENGLISH_ENDINGS:
            if en.endswith(english) and _same_stem(en[: -len(english)], stem):
                return True
        if en == stem:
            return True
        if ending.startswith("sk") and en[:-1] == stem and en[-1] in "aeiouy":
            return True  # a place's adjective and the place: SAMARSKIY / SAMARA
    return False


def _same_stem(english: str, russian: str) -> bool:
    """One stem, or a long one spelt with other vowels (STIVIDOR- / STEVEDOR-ING)."""
    if english == russian:
        return True
    return (
        len(russian) >= 7
        and len(english) == len(russian)
        and english[0] == russian[0]
        and OSA.distance(english, russian, score_cutoff=2) <= 2
    )


def _same_ends(a: str, b: str) -> bool:
    return a[0] == b[0] and a[-1] == b[-1]


def _transliterated(a: str, b: str, person: bool) -> float:
    """Transliteration variants: abjad spellings and, in person names, one phonetic key."""
    # In a person's name a one-consonant word pairs too ("ly" / ALI, "dd" / DAD): the other
    # words of the name must pair as well (see the single-token cap).
    if _abjad_pair(a, b, 1 if person else 3):
        return TRANSLITERATION_SIMILARITY
    if person and phonetic_key(a) == phonetic_key(b):
        return TRANSLITERATION_SIMILARITY
    return 0.0


_VOWEL_RUN = re.compile("[aeiou]+")
# Belarusian and Ukrainian write a syllable-final V as U (ў): after A, E or I here (NAZARAU /
# NAZAROV, PAULAVICH / PAVLOVICH); after O below.
_BELARUSIAN_U = re.compile("(?<=[aei])u(?![aeiou])")
# ... and OU before the patronymic's -NA, a -SK- suffix or a final -KOU (PIATROUNA / PETROVNA,
# RYMASHEUSKI / RIMASHEVSKIY, KARPIANKOU / KARPENKOV), where the phonetic key would read OU as U.
_BELARUSIAN_OU = re.compile("ou(?=na$|sk)|(?<=k)ou$")


# First vowels that transliterations write for one another: I / E (IYAD / EYAD), A / O / U
# (Belarusian ALEG / OLEG, OMAR / UMAR).
_FIRST_VOWEL_CLASS = {"i": "i", "e": "i", "a": "a", "o": "a", "u": "a"}
# Korean syllables as both romanisations write them after CH / J (CHO / JO, CHONG / JONG):
# McCune-Reischauer and the Revised Romanisation, without the breves and apostrophes.
_KOREAN_RESTS = frozenset(
    {
        *("o", "ol", "on", "ong", "ok", "u", "ul", "un", "ung", "uk", "ang", "ae", "aek", "aeng"),
        *("e", "in", "il", "ik", "ing", "eol", "eon", "eong", "eok", "yo", "yong", "yu", "yun"),
    }
)


def _korean_syllable(token: str) -> str | None:
    """What follows CH or J in a Korean syllable (CHONG -> "ong"), else None."""
    rest = token[2:] if token[:2] == "ch" else token[1:] if token[:1] == "j" else None
    return rest if rest in _KOREAN_RESTS else None


def _two_names(a: str, b: str) -> bool:
    """Whether `a` and `b` are each a word of their own: both common words, or both frequent in
    the persons' names of the bundled lists (``vocabulary.frequent_person_words``) with vowels of
    other kinds: HASAN and HUSAYN, HISHAM and HASHIM are two names, not two spellings of one;
    QASIM and KASSEM (I / E), MOSTAFA and MUSTAPHA (O / U) are one name's spellings."""
    if a in common_words() and b in common_words():
        return True
    frequent = frequent_person_words()
    return a in frequent and b in frequent and not _same_vowels(a, b)


# Kinds of vowel a transliteration writes for one another: A; I (Y); O / U. E stands for A or I
# (AHMED / AHMAD, KASSEM / QASIM).
_VOWEL_KINDS = {"a": "a", "i": "i", "y": "i", "o": "u", "u": "u", "e": "ai"}
_VOWELS_AND_Y = re.compile("[aeiouy]+")


def _same_vowels(a: str, b: str) -> bool:
    """Whether each run of vowels of `a` has a kind in common with the run of `b` in its place."""
    runs_a, runs_b = _VOWELS_AND_Y.findall(a), _VOWELS_AND_Y.findall(b)
    if len(runs_a) != len(runs_b):
        return False
    kinds = _VOWEL_KINDS
    return all(
        set("".join(kinds[c] for c in x)) & set("".join(kinds[c] for c in y))
        for x, y in zip(runs_a, runs_b, strict=True)
    )


def person_spelling_keys(token: str, *, cached: bool = True) -> tuple[str, ...]:
    """Index keys that reach the spellings of a person's name word that :func:`token_similarity`
    pairs by its vowels, its first vowel or Korean CH / J, and that no phonetic key reaches
    (each key is marked so it cannot meet a phonetic key). ``cached=False`` (an index build)
    leaves the query words' caches alone."""
    keys: list[str] = []
    blind = _vowel_blind(token) if cached else _vowel_blind_key(token, phonetic_key.__wrapped__)
    if blind:
        keys.append("~" + blind)
    if len(token) == 4 and token[0] in "aeiou":
        keys.append("^" + _FIRST_VOWEL_CLASS[token[0]] + token[1:])
    if (korean := _korean_syllable(token)) is not None:
        keys.append("%" + korean)
    return tuple(keys)


def _vowel_blind_key(token: str, phonetic: Callable[[str], str]) -> str:
    """A person-name word's phonetic key with each run of vowels as one "a" (SUHAIL / SAHEIL,
    TAUFIK / TAUFEK), Ukrainian and Belarusian H as G (HENNADIY / GENNADY; Russian writes
    Arabic H as G too: GAMID / HAMID) and Belarusian DZ as D (DZMITRY / DMITRY); empty when fewer
    than three consonants are left to compare."""
    key = phonetic(_BELARUSIAN_OU.sub("ov", token))
    key = _VOWEL_RUN.sub("a", _BELARUSIAN_U.sub("v", key.replace("dz", "d").replace("h", "g")))
    return key if len(key) - key.count("a") >= 3 else ""


@lru_cache(maxsize=WORDS_REMEMBERED)
def _vowel_blind(token: str) -> str:
    """:func:`_vowel_blind_key` of a query word, remembered."""
    return _vowel_blind_key(token, phonetic_key)


ACRONYM_SKIP = frozenset({"and", "of", "the", "for", "de", "del", "la", "y", "et", "und", "a"})


def acronyms(tokens: tuple[str, ...]) -> set[str]:
    """Initials of an organisation's name, with and without its connectors ("of", "and"):
    "Korean National Petroleum" -> ``knp``. Three letters at least: two say too little."""
    words = [t for t in tokens if t.isalpha()]
    out = {"".join(t[0] for t in words), "".join(t[0] for t in words if t not in ACRONYM_SKIP)}
    return {a for a in out if len(a) >= 3 and len(words) >= 3}


def _spelled_with_form(form: NameForm, free: list[int]) -> bool:
    """A two-word listed name whose legal form ends its initials: "MYANMAR ECONOMIC CORPORATION"
    is MEC, "United Aircraft Corporation" UAC. (Not the other way round: a screened name's own
    initials never propose a short listed name, see ``index._run_acronyms``.)"""
    return len(free) == len(form.tokens) == 2 and bool(form.form_acronyms)


def _acronym_pairs(
    query: NameForm, listed: NameForm, free_q: list[int], free_l: list[int]
) -> list[_Pair]:
    """A free token on one side that spells the initials of all free tokens on the other."""
    out: list[_Pair] = []
    if len(free_q) == 1 and (len(free_l) >= 3 or _spelled_with_form(listed, free_l)):
        token = query.tokens[free_q[0]]
        spelled = acronyms(tuple(listed.tokens[j] for j in free_l))
        if len(free_l) == len(listed.tokens):
            spelled |= listed.form_acronyms
        if token in spelled:
            out.append(
                (
                    ACRONYM_SIMILARITY,
                    (free_q[0],),
                    tuple(free_l),
                    token,
                    " ".join(listed.tokens[j] for j in free_l),
                )
            )
    if len(free_l) == 1 and len(free_q) >= 3:
        token = listed.tokens[free_l[0]]
        spelled = acronyms(tuple(query.tokens[i] for i in free_q))
        if len(free_q) == len(query.tokens):
            spelled |= query.form_acronyms
        if token in spelled:
            out.append(
                (
                    ACRONYM_SIMILARITY,
                    tuple(free_q),
                    (free_l[0],),
                    " ".join(query.tokens[i] for i in free_q),
                    token,
                )
            )
    return out


@dataclass(frozen=True, slots=True)
class Alignment:
    """Which query tokens paired with which list-name tokens, and how well."""

    pairs: tuple[tuple[str, str, float], ...]
    query_coverage: float
    list_coverage: float
    paired_full_tokens: int  # distinct words paired on the side that pairs fewer (full weight)
    list_full_tokens: int  # distinct words of the list name with a full-weight token
    unpaired_query: tuple[str, ...]
    unpaired_list: tuple[str, ...]


SimilarityCache = dict[tuple[str, str, bool], float]
_Pair = tuple[float, tuple[int, ...], tuple[int, ...], str, str]


def _similarity(a: str, b: str, person: bool, cache: SimilarityCache | None) -> float:
    if cache is None:
        return token_similarity(a, b, person=person)
    key = (a, b, person)
    sim = cache.get(key)
    if sim is None:
        sim = cache[key] = token_similarity(a, b, person=person)
    return sim


def _joined_pairs(
    query: NameForm,
    listed: NameForm,
    free_q: list[int],
    free_l: list[int],
    cache: SimilarityCache | None,
) -> list[_Pair]:
    """Pairs of two adjacent free tokens on one side with one free token on the other side, and
    in organisation names of three ("NAM CHON GANG" / "NAMCHONGANG"), which pair only as one
    spelling."""
    out: list[_Pair] = []
    for side_a, side_b, a_free, b_free, flip in (
        (query, listed, free_q, free_l, False),
        (listed, query, free_l, free_q, True),
    ):
        free = set(a_free)
        tokens_a, tokens_b = side_a.tokens, side_b.tokens
        for i in a_free:
            if i + 1 not in free:
                continue
            span: tuple[int, ...] = (i, i + 1)
            joined = tokens_a[i] + tokens_a[i + 1]
            for j in b_free:
                other = tokens_b[j]
                # Joins compare as plain spellings: no initials, no phonetic skeletons.
                sim = _similarity(joined, other, False, cache)
                if sim:
                    pair = ((j,), span, other, joined) if flip else (span, (j,), joined, other)
                    out.append((sim, *pair))
            if listed.person or i + 2 not in free:
                continue
            span, joined = (i, i + 1, i + 2), joined + tokens_a[i + 2]
            for j in b_free:
                if tokens_b[j] == joined:
                    pair = ((j,), span, joined, joined) if flip else (span, (j,), joined, joined)
                    out.append((1.0, *pair))
    return out


def _exact_joins(query: NameForm, listed: NameForm) -> list[_Pair]:
    """Adjacent words of one name that spell a word of the other exactly ("GREEN WAVE" /
    "GREENWAVE"; three in organisation names), to pair before the longer-form rule pairs GREEN
    with GREENWAVE on its own and leaves WAVE out."""
    out: list[_Pair] = []
    longest = 2 if listed.person else 3
    for side_a, side_b, flip in ((query, listed, False), (listed, query, True)):
        tokens_a, tokens_b = side_a.tokens, side_b.tokens
        if len(tokens_a) < 2:
            continue
        where = {t: j for j, t in enumerate(tokens_b) if len(t) >= 4}
        if not where:
            continue
        for i in range(len(tokens_a) - 1):
            joined = tokens_a[i]
            for size in range(2, longest + 1):
                if i + size > len(tokens_a):
                    break
                joined += tokens_a[i + size - 1]
                j = where.get(joined)
                if j is not None:
                    span = tuple(range(i, i + size))
                    pair = ((j,), span, joined, joined) if flip else (span, (j,), joined, joined)
                    out.append((1.0, *pair))
    return out


# "Abd" (servant of) and one of God's names is one given name, written in three words ("ABD
# AL-RAHMAN"), two ("Abdel Rahman", "Abd Rabbuh") or one ("ABDULRAHMAN", "Abdurrahman"). Each
# spelling is read as one unit, the Abd and the name it governs, and a unit pairs whole with a
# unit of the same name of God (``same_governed_name``), never with another one a letter apart.
# The name alone never stands for a one-word Abd name ("Abdulkarim Ali HASSAN" is not "Karim Ali
# HASSAN"; ABDURAKHMANOV is not RAKHMANOV); written in words, its governed word still pairs on its
# own, as the lists' own aliases drop the Abd ("Basir NOORZAI" / "Abdul Basir NOORZAI").
# Abdullah / Abd Allah is left to the plain spellings, which pair its forms already.
_ABD_ARTICLES = (
    "ush", "ash", "ul", "el", "al", "ol", "ur", "ar", "er", "or", "ir", "us", "as", "es", "os",
    "uz", "az", "ud", "ad", "un", "an", "en", "at",
)  # fmt: skip
_ABD_JOINED = re.compile(rf"^abd({'|'.join(_ABD_ARTICLES)})(?=[a-z]{{3}})")
_ABD_WORD = re.compile(rf"^abd(?:u|{'|'.join(_ABD_ARTICLES)})?$")  # ABD, ABDU, ABDUL, ABDUR...
_ABD_SEPARATE_ARTICLE = frozenset(_ABD_ARTICLES)
# Abdullah and its forms (ABDALLA, ABDULLAHI, Uzbek ABDULLOH, "Abd Allah"), not Abd al-Ilah.
_ALLAH = re.compile(r"^(?:abd[aeiou]?|[aeiou]?)ll[ao]h?[iy]?$")
# A surname made from an Abd name (ABDULLAYEV, ABDUSAMADOV, ABDURAKHMONOVA) is no Abd name.
_SURNAME_ENDINGS = ("ov", "ev", "ova", "eva", "ovich", "evich", "ovna", "evna", "zoda", "zada")
ABD_NAME_MIN_LENGTH = 3
ABD_SAME_NAME_SIMILARITY = 0.9  # one name's consonants in two transliterations (RAZZIQ / RAZIK)
_GOVERNED_SPELLINGS = str.maketrans({"q": "k", "c": "k", "y": "i", "w": "u"})


def governed_key(name: str) -> str:
    """The consonants of a name an Abd name governs, as transliterations vary them (Q / K, doubled
    letters, the article's L written into the name: ABDULATIF is Abd al-Latif)."""
    key = consonant_key(_without_mute_e(name).translate(_GOVERNED_SPELLINGS).replace("ph", "f"))
    return key[1:] if key.startswith("l") and len(key) > 2 else key


def _without_mute_e(name: str) -> str:
    return name[:-1] if len(name) > 4 and name.endswith("e") and name[-2] not in "aeiou" else name


def same_governed_name(a: str, b: str) -> bool:
    """Two spellings of one name an Abd name governs: the same consonants (``governed_key``) and
    vowels of one sound, E standing for A or I (RAHMAN / REHMAN, MUHSIN / MOHSEN, QADIR /
    QADER). God's names differ by one consonant (BASIR / BASIT, HAKIM / HALIM) or one vowel
    (HAKAM / HAKIM, SALAM / SALIM, GHAFUR / GHAFFAR): those are two names."""
    return governed_key(a) == governed_key(b) and _same_vowels(
        _without_mute_e(a), _without_mute_e(b)
    )


def abd_units(form: NameForm) -> list[tuple[tuple[int, ...], str]]:
    """A person's Abd names, as (the token positions each is written in, the name it
    governs): "abd", "al", "rahman" and "abdulrahman" both give "rahman"."""
    return list(_abd_units(form.tokens)) if "abd" in form.joined else []


@lru_cache(maxsize=4096)  # a listed name is scored against many queries
def _abd_units(tokens: tuple[str, ...]) -> tuple[tuple[tuple[int, ...], str], ...]:
    units: list[tuple[tuple[int, ...], str]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.startswith("abd"):
            i += 1
            continue
        joined = _ABD_JOINED.match(token)
        if joined is not None and not _ALLAH.match(token) and not token.endswith(_SURNAME_ENDINGS):
            article, name = joined.group(1), token[joined.end() :]
            consonant = article[1:]  # the article's consonant: L, or the one it assimilates to
            if consonant != "l" and not name.startswith(consonant):
                name = consonant + name  # ABDURAHIM is Abd ar-Rahim: one R written for two
            units.append(((i,), name))
            i += 1
            continue
        if _ABD_WORD.match(token) and i + 1 < len(tokens):
            k = i + 1
            if tokens[k] in _ABD_SEPARATE_ARTICLE and k + 1 < len(tokens):  # "abd al-rahman"
                k += 1
            name = tokens[k]
            if (
                len(name) >= ABD_NAME_MIN_LENGTH
                and name.isalpha()
                and not _ALLAH.match(name)
                and not name.endswith(_SURNAME_ENDINGS)
            ):
                units.append((tuple(range(i, k + 1)), name))
                i = k + 1
                continue
        i += 1
    return tuple(units)


def _abd_pairs(query: NameForm, listed: NameForm, cache: SimilarityCache | None) -> list[_Pair]:
    """Each Abd name of one person's name with each of the other's, by the spelling of the name
    it governs (see ``abd_units``)."""
    out: list[_Pair] = []
    listed_units = abd_units(listed)
    if not listed_units:
        return out
    for q_span, q_name in abd_units(query):
        q_text = " ".join(query.tokens[i] for i in q_span)
        for l_span, l_name in listed_units:
            # God's names differ by one consonant or vowel (BASIR / BASIT, HAKAM / HAKIM): the
            # name must be the same; the spelling then says how closely, the whole one when closer
            # ("Abdelkader" / "Abdel Qader", as the join of the two words did before).
            if q_name != l_name and not same_governed_name(q_name, l_name):
                continue
            l_text = " ".join(listed.tokens[j] for j in l_span)
            sim = 1.0 if q_name == l_name else _similarity(q_name, l_name, True, cache)
            whole = _similarity(q_text.replace(" ", ""), l_text.replace(" ", ""), False, cache)
            out.append((max(sim, whole, ABD_SAME_NAME_SIMILARITY), q_span, l_span, q_text, l_text))
    return out


def _abd_words(
    chosen: list[_Pair], abd: list[_Pair], query: NameForm, listed: NameForm
) -> list[_Pair]:
    """`chosen` with each Abd name's pair counted by the full words it is written in on each
    side, as if they had paired one by one (see ``align``); its article counts no word."""
    units = set(abd)
    out: list[_Pair] = []
    for pair in chosen:
        if pair not in units:
            out.append(pair)
            continue
        sim, q_span, l_span, q_text, l_text = pair
        first_q, first_l = q_span[:1], l_span[:1]
        out.append((sim, first_q, first_l, q_text, l_text))
        out.extend(
            (sim, (i,), first_l, q_text, l_text) for i in q_span[1:] if query.weights[i] == 1.0
        )
        out.extend(
            (sim, first_q, (j,), q_text, l_text) for j in l_span[1:] if listed.weights[j] == 1.0
        )
    return out


def _paired_parts(
    form: NameForm, spans: list[tuple[int, ...]], full: list[bool] | None = None
) -> int:
    """Distinct words of `form` with a full-weight token among the paired spans (or, where
    `full` says so, paired with a full-weight token of the other name)."""
    return len(
        {
            min(form.parts[i] for i in span)
            for k, span in enumerate(spans)
            if any(form.weights[i] == 1.0 for i in span) or (full is not None and full[k])
        }
    )


# Patronymic endings and the father's gender they give the child's name: Russian -OVICH /
# -EVNA, Ukrainian -OVYCH / -IVNA, Belarusian -AVICH, French-style -OVITCH. Longest first. Not
# the Turkic -OGLU / -KYZY written onto the name: KARAOGLU is a Turkish surname.
_PATRONYMIC_ENDINGS = (
    ("ovitch", "m"), ("evitch", "m"), ("ovich", "m"), ("evich", "m"), ("avich", "m"),
    ("ivich", "m"), ("ovych", "m"), ("evych", "m"), ("ichna", "f"), ("ovna", "f"),
    ("evna", "f"), ("ivna", "f"),
)  # fmt: skip
_PATRONYMIC_SUFFIXES = tuple(e for e, _ in _PATRONYMIC_ENDINGS)
PATRONYMIC_MIN_LENGTH = 7


def is_patronymic(token: str) -> bool:
    """An East Slavic patronymic (PETROVICH, SERGEEVNA, OLEKSANDROVYCH, ALIYEVNA), by its
    ending."""
    return len(token) >= PATRONYMIC_MIN_LENGTH and token.endswith(_PATRONYMIC_SUFFIXES)


@lru_cache(maxsize=4096)
def _father(token: str) -> tuple[str, tuple[str, ...]] | None:
    """A patronymic's gender and the spellings of the father's name it is made from:
    VOLODYMYROVYCH -> VOLODYMYR, NIKOLAEVICH -> NIKOLA, NIKOLAI, NIKOLAY (the final -I / -Y of
    the father's name is dropped before -EVICH). `token` is a patronymic (``is_patronymic``)."""
    ending, gender = next((e, g) for e, g in _PATRONYMIC_ENDINGS if token.endswith(e))
    stem = token[: -len(ending)]
    if len(stem) < 3:
        return None
    stems = (stem, stem + "i", stem + "y") if stem[-1] in "aeiou" else (stem,)
    return gender, stems


def _same_father(a: str, b: str) -> bool:
    """Two patronymics of one gender made from one name in two spellings or languages
    (VOLODYMYROVYCH / VLADIMIROVICH, EDUARDIVNA / EDUARDOVNA, ULADZIMIRAVICH / VLADIMIROVICH)."""
    if not (is_patronymic(a) and is_patronymic(b)):
        return False
    fa, fb = _father(a), _father(b)
    if fa is None or fb is None or fa[0] != fb[0]:
        return False
    return any(x == y or _spelling_similarity(x, y, True) > 0 for x in fa[1] for y in fb[1])


def _named_pairs(chosen: list[_Pair], query: NameForm, listed: NameForm) -> int:
    """Pairs that hold no patronymic (also inside a join: BORISOVICH KOGAN) and no initial."""

    def named(form: NameForm, span: tuple[int, ...]) -> bool:
        return all(len(form.tokens[i]) > 1 and not is_patronymic(form.tokens[i]) for i in span)

    return sum(1 for _, qi, li, _, _ in chosen if named(query, qi) and named(listed, li))


def _full_words(form: NameForm, free: list[int]) -> bool:
    """Whether any of the tokens at `free` is a full-weight word (not a particle or initial)."""
    return any(form.weights[i] == 1.0 for i in free)


def _middle_names_left_out(
    query: NameForm, listed: NameForm, chosen: list[_Pair], free_long: list[int], *, index: int
) -> bool:
    """Whether the other name, every word of it paired, meets `long` in order from `long`'s
    first full word to its last, so that the words `long` adds lie between them (middle names:
    "Yahya SINWAR" / "Yahya Ibrahim Hassan SINWAR"), and one paired word of `long`, paired
    closely, is no frequent name in either spelling (SINWAR). `long` is the name with words left
    out: the listed name (`index` 2, where its positions are in a pair) or the query (1).

    Not when the shorter name starts at a middle word: "Ibrahim SINWAR" is Yahya Ibrahim
    SINWAR's father, not Yahya."""
    if len(chosen) < 2 or _named_pairs(chosen, query, listed) < 2:
        return False
    long = listed if index == 2 else query
    # Per pair: (`long`'s positions, the other name's first position, `long`'s word, the other
    # name's word, similarity)
    sides = [
        (qi, min(li), qt, lt, sim) if index == 1 else (li, min(qi), lt, qt, sim)
        for sim, qi, li, qt, lt in chosen
    ]
    in_order = [min(mine) for mine, *_ in sorted(sides, key=lambda side: side[1])]
    if in_order != sorted(in_order):
        return False
    full = [i for i, w in enumerate(long.weights) if w == 1.0]
    if not full:
        return False
    first, last = full[0], full[-1]
    paired = {i for mine, *_ in sides for i in mine}
    if first not in paired or last not in paired or any(not first < i < last for i in free_long):
        return False
    frequent = frequent_person_words()
    return any(
        word not in frequent
        and other not in frequent  # AKHMED is no rare name for being spelled unlike AHMED
        and min(len(word), len(other)) >= MIDDLE_NAME_RARE_LENGTH
        and sim >= TRANSLITERATION_SIMILARITY
        for *_, word, other, sim in sides
    )


def _unpaired_cost(
    form: NameForm,
    free: list[int],
    *,
    patronymic_cost: float | None = None,
    other_cost: float | None = None,
) -> float:
    """What unpaired tokens cost. In a person's name a left-out word costs half its weight (a
    missing middle name), and a hyphenated word ("Abdul-Ghani") left out costs as one word.
    ``patronymic_cost``, when given, is what a left-out patronymic costs instead, and
    ``other_cost`` what any other left-out word costs (middle names)."""
    if not form.person:
        return sum(form.weights[i] for i in free)
    by_part: dict[int, float] = {}
    for i in free:
        cost = form.weights[i]
        if patronymic_cost is not None and is_patronymic(form.tokens[i]):
            cost = patronymic_cost / PERSON_UNPAIRED_COST * cost
        elif other_cost is not None:
            cost = other_cost / PERSON_UNPAIRED_COST * cost
        by_part[form.parts[i]] = max(by_part.get(form.parts[i], 0.0), cost)
    return PERSON_UNPAIRED_COST * sum(by_part.values())


def align(query: NameForm, listed: NameForm, cache: SimilarityCache | None = None) -> Alignment:
    """Greedy best-first one-to-one pairing of the tokens of two names.

    Single tokens pair first; two adjacent tokens left unpaired on one side may then pair with
    their concatenation on the other side ("AERO CARIBBEAN" / "AEROCARIBBEAN"), and in
    organisation names three with their exact concatenation ("NAM CHON GANG" / "NAMCHONGANG");
    then acronyms, and last two words of one trade (AIRLINES / AIRWAYS). When a word begins
    another (GREEN / GREENWAVE), exact joins compete with the single pairs from the start, so
    "GREEN WAVE" pairs with GREENWAVE whole.
    """
    person = listed.person
    singles: list[_Pair] = []
    trade: list[_Pair] = []
    prefix = False  # a word paired with a longer word it begins (GREEN / GREENWAVE)
    memo: SimilarityCache = {} if cache is None else cache
    for i, qt in enumerate(query.tokens):
        for j, lt in enumerate(listed.tokens):
            if qt == lt:
                singles.append((1.0, (i,), (j,), qt, lt))
                continue
            key = (qt, lt, person)
            sim = memo.get(key)
            if sim is None:
                sim = memo[key] = token_similarity(qt, lt, person=person)
            if sim:
                if qt in TRADE_WORD_SET and lt in TRADE_WORD_SET:
                    trade.append((sim, (i,), (j,), qt, lt))
                else:
                    singles.append((sim, (i,), (j,), qt, lt))
                    prefix = prefix or qt.startswith(lt) or lt.startswith(qt)
    if prefix:
        singles.extend(_exact_joins(query, listed))
    abd: list[_Pair] = []
    if person and "abd" in query.joined and "abd" in listed.joined:
        # First, so that an Abd name pairs whole where a single pair is as good (a stable sort).
        abd = _abd_pairs(query, listed, memo)
        singles[:0] = abd
    used_q: set[int] = set()
    used_l: set[int] = set()
    chosen: list[_Pair] = []

    def take(pairs: list[_Pair]) -> None:
        pairs.sort(key=lambda p: p[0], reverse=True)
        for pair in pairs:
            if used_q.isdisjoint(pair[1]) and used_l.isdisjoint(pair[2]):
                used_q.update(pair[1])
                used_l.update(pair[2])
                chosen.append(pair)

    take(singles)
    free_q = [i for i in range(len(query.tokens)) if i not in used_q]
    free_l = [i for i in range(len(listed.tokens)) if i not in used_l]
    if free_q and free_l and (len(free_q) > 1 or len(free_l) > 1):
        take(_joined_pairs(query, listed, free_q, free_l, cache))
        free_q = [i for i in free_q if i not in used_q]
        free_l = [i for i in free_l if i not in used_l]
    if not person and free_q and free_l:
        take(_acronym_pairs(query, listed, free_q, free_l))
        free_q = [i for i in free_q if i not in used_q]
        free_l = [i for i in free_l if i not in used_l]
    if trade and free_q and free_l:
        # A trade's words (AIRLINE / AIRWAYS, TV / TELEVISION) pair last: a join or an acronym
        # spells more of a name than a synonym does.
        take(trade)
        free_q = [i for i in free_q if i not in used_q]
        free_l = [i for i in free_l if i not in used_l]
    q_w, l_w = query.weights, listed.weights
    q_matched = sum(sim * sum(q_w[i] for i in qi) for sim, qi, _, _, _ in chosen)
    l_matched = sum(sim * sum(l_w[i] for i in li) for sim, _, li, _, _ in chosen)
    # A patronymic that one name gives and the other leaves out costs little, when the other
    # name leaves no full word of its own out (MEHMET ALI KARAOGLU / MEHMET ALI YILMAZ and IVAN
    # PETROVICH / IVAN SERGEY SIDORENKO name other people) and two other words pair, a given name
    # and a surname (a surname ending like a patronymic, ZENKEVICH, is no father's name when it
    # is the only word left out).
    cheap = None
    if person and (free_q or free_l):
        q_pat = any(is_patronymic(query.tokens[i]) for i in free_q)
        l_pat = any(is_patronymic(listed.tokens[i]) for i in free_l)
        if (
            (q_pat and not _full_words(listed, free_l))
            or (l_pat and not _full_words(query, free_q))
        ) and _named_pairs(chosen, query, listed) >= 2:
            cheap = PATRONYMIC_UNPAIRED_COST
    q_middle = l_middle = None
    if person and bool(free_q) != bool(free_l):
        # Middle names one name leaves out ("Yahya SINWAR" / "Yahya Ibrahim Hassan SINWAR").
        if free_l and _middle_names_left_out(query, listed, chosen, free_l, index=2):
            l_middle = MIDDLE_NAME_UNPAIRED_COST
        elif free_q and _middle_names_left_out(query, listed, chosen, free_q, index=1):
            q_middle = MIDDLE_NAME_UNPAIRED_COST
    q_total = sum(q_w[i] for i in used_q) + _unpaired_cost(
        query, free_q, patronymic_cost=cheap, other_cost=q_middle
    )
    l_total = sum(l_w[i] for i in used_l) + _unpaired_cost(
        listed, free_l, patronymic_cost=cheap, other_cost=l_middle
    )
    # An Abd name counts the words it is written in, as it did when they paired one by one
    # ("Abdul SAMAD" / "Abdul Samad ACHEKZAI", "Abdul Rehman" / "Abdur REHMAN" pair two names).
    counted = _abd_words(chosen, abd, query, listed) if abd else chosen
    return Alignment(
        pairs=tuple((qt, lt, round(sim, 3)) for sim, _, _, qt, lt in chosen),
        query_coverage=q_matched / q_total if q_total else 0.0,
        list_coverage=l_matched / l_total if l_total else 0.0,
        paired_full_tokens=min(
            _paired_parts(listed, [li for _, _, li, _, _ in counted]),
            # An initial paired with a full given name counts as that name ("J. Smith-Ortega").
            _paired_parts(
                query,
                [qi for _, qi, li, _, _ in counted],
                full=[any(l_w[j] == 1.0 for j in li) for _, _, li, _, _ in counted],
            ),
        ),
        list_full_tokens=listed.full_parts,
        unpaired_query=tuple(query.tokens[i] for i in free_q),
        unpaired_list=tuple(listed.tokens[i] for i in free_l),
    )


@dataclass(frozen=True, slots=True)
class Qualifiers:
    """What is known about the query besides its name."""

    entity_type: str  # person | organization | any
    country: str | None  # country key, see countries.country_key
    identifiers: frozenset[str]  # normalised


def _descriptive(tokens: tuple[str, ...]) -> list[str]:
    """The words among `tokens` that say which organisation is meant or what it does: everything
    but connectors, organisation-structure words ("and", "y", "group") and numbers (those must
    agree anyway). An initial counts: "M INVEST" is not "INVEST"."""
    return [t for t in tokens if t.isalpha() and t not in ORG_NEUTRAL_WORDS]


def _partial_overlap(
    query: NameForm,
    listed: NameForm,
    al: Alignment,
    name_score: float,
    explanation: dict[str, Any],
    explain: bool,
) -> float:
    """Organisations sharing at most one distinctive word: a word only one name has counts in full.

    A generic word weighs little so that sharing it proves little ("TRADING", "SHIPPING"). Left
    unpaired it should not cost little too when the names share only one distinctive word: "Alco
    Energy" against the listed "ALCO" says the merchant is an energy business named Alco, not the
    entity listed as ALCO; "ISLAND" against "GREEN ISLAND" leaves out half of what names the listed
    entity. For a person an extra word is most often a middle name, for an organisation it names a
    different business (a list's short alias inside a longer company name is the typical false
    positive), so this applies to organisation names only. Here every unpaired descriptive word
    costs as a distinctive word; connectors and structure words ("and", "group") keep their cost.
    """
    extra_q = _descriptive(al.unpaired_query)
    extra_l = _descriptive(al.unpaired_list)
    add_q = sum(1.0 - _weight(t, False) for t in extra_q)
    add_l = sum(1.0 - _weight(t, False) for t in extra_l)
    if not (add_q or add_l):
        return name_score
    q_cov = al.query_coverage * query.total / (query.total + add_q) if query.total else 0.0
    l_cov = al.list_coverage * listed.total / (listed.total + add_l) if listed.total else 0.0
    adjusted = (q_cov + l_cov) / 2
    feature: dict[str, Any] = {"adjustment": round(adjusted - name_score, 4)}
    if explain:
        feature.update(
            {
                "shared": [lt for _, lt, _ in al.pairs if _weight(lt, False) == 1.0],
                "query_only": extra_q,
                "list_only": extra_l,
                "rule": "at most one distinctive word shared: a descriptive word only one name "
                "has counts as a distinctive word",
            }
        )
    explanation["partial_overlap"] = feature
    return adjusted


def _near_word(
    al: Alignment, name_score: float, explanation: dict[str, Any], known_words: AbstractSet[str]
) -> float:
    """Organisations whose only shared distinctive word is a near spelling that is a word itself.

    A one-letter difference is most often a typo; but when the query's word is one the lists (or
    the generic vocabulary) use in their own right, "INVEST" against the listed "INOVEST" is more
    likely a different word than a misspelling. Short words only (one edit allowed): that is where
    real words sit one letter apart.
    """
    full = [p for p in al.pairs if 1.0 in (_weight(p[0], False), _weight(p[1], False))]
    if len(full) != 1 or full[0][2] >= 1.0:
        return name_score
    qt, lt, _ = full[0]
    if min(len(qt), len(lt)) > NEAR_WORD_MAX_LENGTH:
        return name_score
    if qt not in known_words and qt not in GENERIC_ORG_WORDS:
        return name_score
    explanation["near_word"] = {
        "adjustment": -NEAR_WORD_PENALTY,
        "pair": [qt, lt],
        "rule": "the only distinctive word shared is a near spelling, and the query's word is "
        "a word of its own",
    }
    return name_score - NEAR_WORD_PENALTY


SHORT_FORM_RULE = (
    "the query is the listed name without its generic and place words: those weigh a quarter"
)
SHORT_FORM_MIN_LENGTH = 4
SHORT_FORM_MIN_SIMILARITY = 1.0


def _short_form(al: Alignment) -> bool:
    """The query is the listed name short of its generic words and place names.

    Lists write an organisation with its trade and its country, its aliases without them
    ("DAESONG TRADING" / "KOREA DAESONG GENERAL TRADING CORPORATION"). Every word of the query
    pairs, two words at least, the one distinctive word shared is no short word, and what only
    the listed name has is generic or a place. The other way round ("Alco
    Energy" against the listed "ALCO") the query adds a business of its own: see partial_overlap.
    A distinctive word only the listed name has ("ISLAND" / "GREEN ISLAND") is no short form.
    """
    if al.query_coverage < CONTAINED_MIN_COVERAGE or not al.unpaired_list or len(al.pairs) < 2:
        # One word alone ("PETROLEUM SA" / "GENERAL PETROLEUM CORPORATION", "FUTURE COMPANY" /
        # "CONGO FUTURE") is most often a common word: the query must pair another word too.
        return False
    shared = [(qt, sim) for qt, lt, sim in al.pairs if _weight(lt, False) == 1.0 and lt.isalpha()]
    if len(shared) != 1 or shared[0][1] < SHORT_FORM_MIN_SIMILARITY:
        return False  # one word, spelt the same: "BARON" is not a short form of "BAROON SHIPPING"
    word = shared[0][0]
    if len(word) < SHORT_FORM_MIN_LENGTH or is_place_word(word):
        return False  # a place shared ("ISLAND" / "GREEN ISLAND") names no one organisation
    return all(
        (_weight(t, False) < 1.0 and len(t) > 1) or is_place_word(t) for t in al.unpaired_list
    )  # an initial only the list has is part of the name: "INVEST" is not "M INVEST"


COINED_WORD_RULE = (
    "the one distinctive word shared is coined (no ordinary business uses it), and the longer "
    "name adds only ordinary words to it"
)


def _coined_word(al: Alignment) -> bool:
    """Organisations sharing one distinctive word that no ordinary business uses.

    A list's short alias inside a longer company name is most often a real company merely
    containing a common word ("ALCO" in "Alco Energy", "ISLAND" in "GREEN ISLAND"): see
    partial_overlap. A coined word is other evidence: "SEPANIR OIL AND GAS ENERGY ENG. CO"
    names the listed SEPANIR, "KRASLESINVEST" the listed "THE CLOSED JOINT-STOCK COMPANY
    KRASLESINVEST". The shared word is spelt the same, six letters or more ("GENCO" in "Genco
    Shipping" is a real company's; four when the query adds no word of its own: "RAHAB" /
    "RAHAB ENGINEERING INSTITUTE"), no place, and none of the 58,000 words of real legal names,
    industry titles and everyday English (``common_words``); one name is that word (with generic
    and structure words), and what the other adds are ordinary words or places only. The length
    and the lexicon were chosen on the benchmark's dev half (docs/screening.md).
    """
    shared = [p for p in al.pairs if _weight(p[1], False) == 1.0 and p[1].isalpha()]
    if len(shared) != 1:
        return False
    _, word, similarity = shared[0]  # spelt the same: the query's word is this word
    if similarity < 1.0 or len(word) < _coined_min_length(al) or not is_coined(word):
        return False
    extra_q = [t for t in _descriptive(al.unpaired_query) if _weight(t, False) == 1.0]
    extra_l = [t for t in _descriptive(al.unpaired_list) if _weight(t, False) == 1.0]
    if extra_q and extra_l:
        return False  # each name adds a distinctive word of its own: "KAHANE LIVES" / "KAHANE CHAI"
    return all(is_ordinary(t) for t in extra_q or extra_l)


def _contained(
    al: Alignment,
    name_score: float,
    explanation: dict[str, Any],
    *,
    rule: str = "every word of the shorter name pairs, two distinctive words or more shared",
) -> float:
    """Organisations: one name whole inside the other, sharing two distinctive words or more.

    Lists write an organisation long and short ("TAMBOV POWDER PLANT" / "FEDERAL STATE
    ENTERPRISE TAMBOV POWDER PLANT"); when every word of the shorter name pairs, the words only
    the longer one has weigh a quarter. One shared word is not enough (a real company merely
    containing a short listed name, see partial_overlap).
    """
    short, long = max(al.query_coverage, al.list_coverage), min(al.query_coverage, al.list_coverage)
    if short < CONTAINED_MIN_COVERAGE:
        return name_score
    adjusted = (3 * short + long) / 4
    if adjusted <= name_score:
        return name_score
    key = {SHORT_FORM_RULE: "short_form", COINED_WORD_RULE: "coined_word"}.get(rule, "contained")
    explanation[key] = {
        "adjustment": round(adjusted - name_score, 4),
        "rule": rule,
    }
    return adjusted


# What the words two organisation names share prove (dev half of the real-pair benchmark, docs/
# screening.md "Evidence"): the distance of a score to 1 shrinks when they share a coined word and
# grows when they share only one or two ordinary words. With the 0.78 threshold, a name sharing a
# coined word matches from 0.56 as it was scored before (from 0.68 when the word is spelt
# differently and shorter than seven letters: "HAMCHO" / "HAMSHO"), one sharing only ordinary
# words from 0.82.
EVIDENCE_MATCH_AT = 0.78
COINED_MATCH_AT = 0.56
COINED_VARIANT_MATCH_AT = 0.68
LONG_COINED_MIN_LENGTH = 7
ORDINARY_MATCH_AT = 0.82
COINED_STRETCH = (1 - EVIDENCE_MATCH_AT) / (1 - COINED_MATCH_AT)
COINED_VARIANT_STRETCH = (1 - EVIDENCE_MATCH_AT) / (1 - COINED_VARIANT_MATCH_AT)
ORDINARY_STRETCH = (1 - EVIDENCE_MATCH_AT) / (1 - ORDINARY_MATCH_AT)
ORDINARY_MAX_SHARED = 2


COMPOUND_PART_MIN_LENGTH = 5


def is_coined(token: str) -> bool:
    """A word no ordinary business uses: none of ``common_words``, generic or a place, nor two
    of them written as one ("TRANSSERVICE" is TRANS SERVICE)."""
    return (
        len(token) >= EVIDENCE_MIN_LENGTH
        and token.isalpha()
        and not is_ordinary(token)
        and not _ordinary_compound(token)
    )


@lru_cache(maxsize=65_536)
def _ordinary_compound(token: str) -> bool:
    """Two ordinary words of five letters or more written as one."""
    least = COMPOUND_PART_MIN_LENGTH
    return any(
        is_ordinary(token[:i]) and is_ordinary(token[i:])
        for i in range(least, len(token) - least + 1)
    )


def _coined_min_length(al: Alignment) -> int:
    """The least length of a coined word that counts: four letters when the query adds nothing
    of its own ("RAHAB" / "RAHAB ENGINEERING INSTITUTE" is the short form), six when it does
    ("Genco Shipping A/S" / "GENCO" is a real company merely containing a short listed name)."""
    return COINED_WORD_MIN_LENGTH if _descriptive(al.unpaired_query) else EVIDENCE_MIN_LENGTH


def _coined_pair(query_token: str, list_token: str, similarity: float) -> bool:
    """Both words coined, and spelt alike or long: one letter changes a short word into another
    ("SALTO" / "SALCO"), a transliteration of a long one stays itself ("KHOMEINY" / "KHOMEINI")."""
    if similarity < 1.0 and min(len(query_token), len(list_token)) < COINED_WORD_MIN_LENGTH:
        return False
    return is_coined(query_token) and is_coined(list_token)


def is_ordinary(token: str) -> bool:
    """An everyday (``common_words``), generic or place word."""
    return token in common_words() or token in GENERIC_ORG_WORDS or is_place_word(token)


def evidence_stretch(al: Alignment) -> tuple[str, float]:
    """How much the words two organisation names share prove, and the factor by which the
    score's distance to 1 is multiplied:

    * ``coined`` when a pair of them is a word, four letters or more, that no ordinary business
      uses, on both sides ("SEPANIR", "KHOMEINY" / "KHOMEINI", see ``_coined_pair``). A four- or
      five-letter one counts only when the query adds no descriptive word of its own: a real
      company's name merely containing a short listed name is the false-hit kind ("Genco
      Shipping A/S" / "GENCO"), its short form is the alias kind ("CIMEX" / "CORPORACION CIMEX").
      The stretch is weaker when the word is spelt differently on the two sides and is shorter
      than seven letters ("HAMCHO" / "HAMSHO"; "FORCHN" / "FORKAN" is another word);
    * ``ordinary`` when they share only one or two words and each is an everyday, generic or
      place word ("HOTEL PLAZA" / "HOTEL SOL PLAZA", "EAST-WEST" / "EAST AND WEST ENTERPRISES");
    * else ``plain`` (a shared number, acronym or short uncommon word is evidence of its own).
    """
    least = _coined_min_length(al)
    coined = [
        (min(len(q), len(t)), sim)
        for q, t, sim in al.pairs
        if _coined_pair(q, t, sim) and min(len(q), len(t)) >= least
    ]
    if coined:
        if any(sim >= 1.0 or n >= LONG_COINED_MIN_LENGTH for n, sim in coined):
            return "coined", COINED_STRETCH
        return "coined", COINED_VARIANT_STRETCH
    shared = {t for _, t, _ in al.pairs if t not in ORG_NEUTRAL_WORDS}
    # A number, an acronym or a short word no ordinary business uses ("TIR", "VTB") is evidence.
    if 0 < len(shared) <= ORDINARY_MAX_SHARED and all(
        t.isalpha() and is_ordinary(t) for t in shared
    ):
        return "ordinary", ORDINARY_STRETCH
    return "plain", 1.0


SHORT_EVIDENCE_MAX_LENGTH = 2
SHORT_EVIDENCE_CAP = 0.6


def _short_evidence(al: Alignment) -> bool:
    """Two organisation names that share nothing longer than two letters, and one has a word
    the other lacks: "(AQ) LIMITED" / "AQ-S", "VAN ES KG" / "E. S. Co." are other names, whatever
    their coverage. Every word pairing is a spelling of the name ("U.I. IKNTERNATIONAL")."""
    if not (al.unpaired_query or al.unpaired_list):
        return False
    shared = [min(len(q), len(t)) for q, t, _ in al.pairs if t not in ORG_NEUTRAL_WORDS]
    return bool(shared) and max(shared) <= SHORT_EVIDENCE_MAX_LENGTH


def _evidence(al: Alignment, name_score: float, explanation: dict[str, Any]) -> float:
    """Organisations: the score moved by what the shared words prove (``evidence_stretch``)."""
    kind, stretch = evidence_stretch(al)
    if stretch == 1.0 or name_score <= 0.0:
        return name_score
    adjusted = max(0.0, 1.0 - (1.0 - name_score) * stretch)
    explanation["evidence"] = {
        "adjustment": round(adjusted - name_score, 4),
        "rule": "a coined word shared" if kind == "coined" else "only ordinary words shared",
    }
    return adjusted


def score_name(
    query: NameForm,
    listed: NameForm,
    cache: SimilarityCache | None = None,
    *,
    explain: bool = True,
    known_words: AbstractSet[str] = frozenset(),
) -> tuple[float, dict[str, Any]]:
    """Name-only score in [0, 1] and its explanation (each feature that contributed).

    With ``explain=False`` the token-level detail is left out (candidates that are not returned
    do not need it); the score is the same.
    """
    al_or_none: Alignment | None = None
    if query.joined and query.joined == listed.joined:
        name_score = 1.0
        explanation: dict[str, Any] = {"name": {"score": 1.0, "rule": "same normalised name"}}
    else:
        al = al_or_none = align(query, listed, cache)
        name_score = (al.query_coverage + al.list_coverage) / 2
        explanation = {"name": {"score": name_score}}
        if explain:
            explanation["name"] = {
                "score": round(name_score, 4),
                "pairs": [list(p) for p in al.pairs],
                "query_coverage": round(al.query_coverage, 4),
                "list_coverage": round(al.list_coverage, 4),
                "unpaired_query": list(al.unpaired_query),
                "unpaired_list": list(al.unpaired_list),
            }
        if not listed.person and al.paired_full_tokens >= CONTAINED_MIN_SHARED:
            name_score = _contained(al, name_score, explanation)
        if not listed.person and al.paired_full_tokens <= PARTIAL_OVERLAP_MAX_SHARED:
            if al.paired_full_tokens == 1 and _short_form(al):
                name_score = _contained(al, name_score, explanation, rule=SHORT_FORM_RULE)
            elif al.paired_full_tokens == 1 and _coined_word(al):
                name_score = _contained(al, name_score, explanation, rule=COINED_WORD_RULE)
            else:
                name_score = _partial_overlap(query, listed, al, name_score, explanation, explain)
            name_score = _near_word(al, name_score, explanation, known_words)
        if not listed.person:
            name_score = _evidence(al, name_score, explanation)
            if name_score > SHORT_EVIDENCE_CAP and _short_evidence(al):
                name_score = SHORT_EVIDENCE_CAP
                explanation["short_evidence"] = {
                    "cap": SHORT_EVIDENCE_CAP,
                    "rule": "the names share only letters or two-letter words and differ",
                }
        single = listed.person and al.paired_full_tokens < 2 <= al.list_full_tokens
        if single and name_score > SINGLE_TOKEN_CAP:
            name_score = SINGLE_TOKEN_CAP
            explanation["single_token"] = {
                "cap": SINGLE_TOKEN_CAP,
                "rule": "one name token only",
            }
    if (
        listed.person
        and query.joined != listed.joined
        and listed.full_parts < 2
        and name_score > WEAK_ALIAS_CAP
    ):
        # A one-word person name ("DANIEL", "Rumuli") is a nickname: the exact word is a match,
        # anything else (a longer name containing it, a near spelling) only worth a look.
        name_score = WEAK_ALIAS_CAP
        explanation["weak_alias"] = {"cap": WEAK_ALIAS_CAP, "rule": "one-word person name"}
    if query.numbers != listed.numbers and name_score > NUMBER_MISMATCH_CAP:
        name_score = NUMBER_MISMATCH_CAP
        explanation["numbers"] = {
            "cap": NUMBER_MISMATCH_CAP,
            "query": sorted(query.numbers),
            "list": sorted(listed.numbers),
        }
    if not listed.person and name_score > NUMBER_MISMATCH_CAP:
        name_score = _other_countries(al_or_none, name_score, explanation)
    if query.legal_forms and listed.legal_forms:
        agrees = bool(set(query.legal_forms) & set(listed.legal_forms))
        explanation["legal_form"] = {
            "query": list(query.legal_forms),
            "list": list(listed.legal_forms),
            "adjustment": 0.0 if agrees else -LEGAL_FORM_MISMATCH_PENALTY,
        }
        if not agrees:
            name_score -= LEGAL_FORM_MISMATCH_PENALTY
    return name_score, explanation


def _other_countries(al: Alignment | None, name_score: float, explanation: dict[str, Any]) -> float:
    """Each name names a country the other does not ("JUND AL-KHILAFAH IN ALGERIA" / "... IN
    TUNISIA"): branches of one organisation, or namesakes; capped as different numbers are."""
    if al is None:
        return name_score
    query_countries = frozenset().union(*map(countries_of_word, al.unpaired_query))
    list_countries = frozenset().union(*map(countries_of_word, al.unpaired_list))
    if not query_countries or not list_countries or query_countries & list_countries:
        return name_score
    explanation["countries"] = {
        "cap": NUMBER_MISMATCH_CAP,
        "query": sorted(query_countries),
        "list": sorted(list_countries),
        "rule": "each name names another country",
    }
    return NUMBER_MISMATCH_CAP


def type_penalty(wanted: str, entity_type: str) -> float:
    """Person against non-person costs TYPE_MISMATCH_PENALTY; an organisation against a vessel or
    aircraft costs half as much (ships are often named like companies, and after their owners)."""
    if (wanted == PERSON) != (entity_type == PERSON):
        return TYPE_MISMATCH_PENALTY
    if wanted == ORGANIZATION and entity_type in ("vessel", "aircraft"):
        return TYPE_MISMATCH_PENALTY / 2
    return 0.0


def qualify(
    score: float,
    explanation: dict[str, Any],
    *,
    qualifiers: Qualifiers,
    entity_type: str,
    countries: frozenset[str],
    identifiers: frozenset[str],
) -> float:
    """Apply type, country and identifier evidence to a name score; record each in `explanation`."""
    wanted = qualifiers.entity_type
    if wanted in (PERSON, ORGANIZATION) and entity_type != "unknown":
        penalty = type_penalty(wanted, entity_type)
        explanation["type"] = {"query": wanted, "list": entity_type, "adjustment": -penalty}
        score -= penalty
    if qualifiers.country and countries:
        agrees = qualifiers.country in countries
        adjustment = COUNTRY_MATCH_BONUS if agrees else -COUNTRY_MISMATCH_PENALTY
        explanation["country"] = {
            "query": qualifiers.country,
            "list": sorted(countries),
            "adjustment": adjustment,
        }
        score += adjustment
    shared = qualifiers.identifiers & identifiers
    if shared:
        explanation["identifier"] = {"matched": sorted(shared), "floor": IDENTIFIER_SCORE}
        score = max(score, IDENTIFIER_SCORE)
    return round(min(1.0, max(0.0, score)), 4)
