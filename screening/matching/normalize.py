"""Name normalisation: transliteration, case folding, punctuation, tokens.

Every name, list-side and query-side, goes through :func:`tokenize`, so both sides are compared in
the same alphabet: Latin lower case ASCII letters and digits separated by single spaces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from anyascii import anyascii

# The matcher's bounded caches (docs/performance.md, "Memory"). Every web and Celery worker
# fills them as it screens, so their size is paid per process: `make bench-memory` fills them
# with 20,000 real names; `make bench-screen` and `make bench-rescreen` show what smaller ones
# cost. With 262,144 remembered token pairs and 131,072 words a worker grew by 96 MB.
NAMES_REMEMBERED = 4_096  # tokenize: a query is tokenized once per partition and per word part
WORDS_REMEMBERED = 8_192  # consonant_key, phonetic_key of query words
TOKEN_PAIRS_REMEMBERED = 8_192  # token_similarity (a query also keeps its own pairs)

# Characters that join the parts of one word: removed, not turned into a gap ("O'Brien" -> "obrien",
# "S.R.O." -> "sro", "U.S." -> "us").
_JOINERS = re.compile(r"['\u2018\u2019\u02bc\u02bb`\u00b4.]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DIGIT = re.compile(r"\d")
_VOWELS = str.maketrans("", "", "aeiouyhw")
_CONSONANT_CLASSES = str.maketrans({"c": "k", "q": "k", "z": "s", "v": "f", "j": "g"})


# Han ideographs and Hangul syllable blocks are one syllable each; anyascii runs them together
# ("张林" -> "ZhangLin", "김정은" -> "gimjeongeun").
_HAN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7a3])")
# Look-alike letters (Unicode TR 39 confusables) between Latin, Cyrillic and Greek capitals and
# small letters: in a word written mostly in one script, a letter of another script that looks
# the same is read as the majority script's letter ("SBERBANK" written with a Cyrillic E is
# SBERBANK; "Raisa" in Cyrillic written with a Latin P is read as Cyrillic throughout).
# Japanese kana runs (hiragana, katakana, the long-vowel mark). anyascii spells long vowels out
# ("ツウショウ" -> "tsuushou"); names on the lists are written in Hepburn without macrons
# ("TSUSHO", "KOBE"), so a doubled vowel and "ou" become one vowel.
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]+")
_LONG_VOWEL = re.compile(r"ou|(?<=[aiueo])\u30fc|([aiueo])\1")


_SOKUON = re.compile("~([b-df-hj-np-tv-z])")
_SMALL_Y = dict(zip("\u3083\u3085\u3087\u30e3\u30e5\u30e7", "auoauo", strict=True))


def _kana(match: re.Match[str]) -> str:
    out: list[str] = []
    for char in match.group(0).replace("\u30fb", " "):
        vowel = _SMALL_Y.get(char)
        if vowel and out and out[-1].endswith("i"):
            # A small ya/yu/yo joins the syllable before it: shi + yo = sho, ki + yo = kyo.
            head = out[-1][:-1]
            out[-1] = head + (vowel if head.endswith(("sh", "ch", "j")) else "y" + vowel)
        elif char in "\u3063\u30c3":
            out.append("~")  # a small tsu doubles the consonant after it: ho~kaido = hokkaido
        else:
            out.append(anyascii(char).lower())
    romaji = _SOKUON.sub(r"\1\1", "".join(out)).replace("~", "")
    return " " + _LONG_VOWEL.sub(lambda m: m.group(1) or "o", romaji) + " "


_LATIN_OF = dict(
    zip(
        "АВСЕНКМОРТХУаеорсухіјѕԁӏΑΒΕΖΗΙΚΜΝΟΡΤΥΧοικνρτυχ",
        "ABCEHKMOPTXYaeopcyxijsdlABEZHIKMNOPTYXoikvptux",
        strict=True,
    )
)
_CYRILLIC_OF = {latin: cyr for cyr, latin in _LATIN_OF.items() if "\u0400" <= cyr <= "\u04ff"}
_WORD = re.compile(r"\w+")
# A digit standing for a letter inside a word ("R0SNEFT", "1NTERNATIONAL"): 0 -> o, 1 -> i, when
# the digit is alone (not part of a number) in a word of at least two letters.
_LONE_DIGIT = re.compile(r"(?<![0-9])[01](?![0-9])")
_VOWELS_W = re.compile(r"[aeiouyw]")
_VOWEL = re.compile(r"[aeiou]")


def _script(char: str) -> str:
    if "a" <= char.lower() <= "z":
        return "latin"
    if "\u0400" <= char <= "\u04ff":
        return "cyrillic"
    if "\u0370" <= char <= "\u03ff":
        return "greek"
    return "other"


def _unconfuse(match: re.Match[str]) -> str:
    word = match.group(0)
    scripts = [_script(c) for c in word if c.isalpha()]
    if len(set(scripts) - {"other"}) < 2:
        return word
    if scripts.count("latin") >= max(scripts.count("cyrillic"), scripts.count("greek")):
        return "".join(_LATIN_OF.get(c, c) for c in word)
    return "".join(_CYRILLIC_OF.get(c, c) for c in word)


def _digits_as_letters(match: re.Match[str]) -> str:
    word = match.group(0)
    if ("0" not in word and "1" not in word) or sum(c.isalpha() for c in word) < 2:
        return word
    return _LONE_DIGIT.sub(lambda m: "o" if m.group(0) == "0" else "i", word)


@lru_cache(maxsize=4096)  # a name is folded for its tokens and again for its word parts
def fold(text: str) -> str:
    """Return `text` transliterated to ASCII and case-folded.

    NFKC first so compatibility forms (full-width letters, ligatures) fold before anyascii maps
    non-Latin scripts (Cyrillic, Arabic, CJK, ...) to Latin. Han syllables become separate words,
    the way romanised Chinese names are written on the lists ("ZHANG Lin").
    """
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = _WORD.sub(_unconfuse, text)
    if _KANA.search(text):
        text = _KANA.sub(_kana, text)
    if _HAN.search(text):
        text = _HAN.sub(r" \1 ", text)
    return anyascii(text).casefold()


def name_parts(text: str, *, cached: bool = True) -> tuple[int, ...]:
    """For each token of ``tokenize(text)``, the index of the space-separated word it came from.

    Hyphenated or apostrophised pieces of one word ("P'IL-HUN", "AL-SHANTI") share a part: they
    are one given name or one surname, not two. ``cached``: see :func:`tokenizer`.
    """
    split = tokenizer(cached=cached)
    parts: list[int] = []
    for index, word in enumerate(fold(text).replace("&", " and ").replace(",", " ").split()):
        parts.extend([index] * len(split(word)))
    return tuple(parts)


def _tokenize(text: str) -> tuple[str, ...]:
    """Normalised tokens of a name: ``"AL-SHANTI, Jamileh"`` -> ``("al", "shanti", "jamileh")``."""
    folded = fold(text).replace("&", " and ")
    folded = _JOINERS.sub("", folded)
    return tuple(_digits_as_letters(m) for m in _WORD.finditer(_NON_ALNUM.sub(" ", folded)))


tokenize = lru_cache(maxsize=NAMES_REMEMBERED)(_tokenize)


def tokenizer(*, cached: bool) -> Callable[[str], tuple[str, ...]]:
    """:func:`tokenize`, remembering its answers or not.

    Queries repeat names and words, so they go through the cache; building a screening index
    prepares each listed name once, and filling the cache with them would keep tens of thousands
    of tuples alive beside the index (about 15 MB of RSS per process with the bundled lists).
    """
    return tokenize if cached else _tokenize


def has_digit(token: str) -> bool:
    """True when the token carries a number, which must then agree exactly."""
    return bool(_DIGIT.search(token))


def skeleton(token: str) -> str:
    """A coarse phonetic key: first letter, then consonant classes without repeats.

    Transliterations of one name mostly differ in vowels and doubled letters
    (MOHAMMED / MUHAMMAD / MOHAMED -> ``mmd`` -> ``md``); the key finds those candidates, the
    scorer then decides how similar they really are.
    """
    if not token or has_digit(token):
        return token
    token = token.replace("x", "ks")
    head, tail = token[0], token[1:].translate(_VOWELS).translate(_CONSONANT_CLASSES)
    out = [head.translate(_CONSONANT_CLASSES)]
    for char in tail:
        if char != out[-1]:
            out.append(char)
    return "".join(out)


@lru_cache(maxsize=WORDS_REMEMBERED)
def consonant_key(token: str) -> str:
    """Consonants only, doubled letters once: how abjad scripts write a name.

    Arabic, Persian and Hebrew omit short vowels; their transliteration "mhmd hsn" is
    "Mohammad Hasan" without them. Both sides reduce to ``mhmd hsn``.
    """
    return undoubled(_VOWELS_W.sub("", token))


_DOUBLED = re.compile(r"(.)\1+")


def undoubled(token: str) -> str:
    """Each run of one letter written once ("haqq" -> "haq")."""
    return _DOUBLED.sub(r"\1", token)


def has_vowel(token: str) -> bool:  # not cached: one regex search costs about a cache lookup
    """True for a token with a written vowel (a, e, i, o, u)."""
    return _VOWEL.search(token) is not None


def display_person_name(raw: str) -> str:
    """Turn the OFAC ``"LAST, First Middle"`` layout into ``"First Middle LAST"``."""
    if raw.count(",") != 1:
        return raw.strip()
    last, first = (part.strip() for part in raw.split(","))
    return f"{first} {last}".strip() if first else last


def normalise_identifier(value: str) -> str:
    """Identifiers compare on letters and digits only: ``"52-2083095"`` == ``"522083095"``."""
    return re.sub(r"[^A-Z0-9]", "", fold(value).upper())
