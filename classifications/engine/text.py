"""Text normalisation shared by training and inference.

A business description is lower-cased, transliterated to ASCII, split into words, stripped of
stopwords and legal-form suffixes ("LLC", "GmbH"), and stemmed (Snowball English) so that
"trucking", "trucks" and "truck" meet. Features are stemmed unigrams and adjacent bigrams.
Each token keeps the surface word it came from, so evidence can quote the input, not stems.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import Stemmer  # PyStemmer: the Snowball algorithms in C
from anyascii import anyascii

if TYPE_CHECKING:
    import numpy as np

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

STOPWORDS = frozenset(
    line.strip()
    for line in (Path(__file__).with_name("stopwords.txt")).read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)

# A Snowball stemmer keeps the word it is working on in itself: one shared by a web worker's
# threads mangled concurrent words (IndexError, a 500 from /classify under load). One per thread,
# without PyStemmer's own cache of 10,000 words (``stem`` below is one cache for all threads).
# PyStemmer gives the pure-Python snowballstemmer's stems (the same Snowball 3 English; equal on
# the 32,994 distinct words of the code tables and registry samples) 18x faster, and imports one
# module where snowballstemmer imported all 30 languages' (3.1 -> 1.1 MB of every worker).
_stemmers = threading.local()


def _stemmer() -> Any:
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = Stemmer.Stemmer("english", 0)
    return stemmer


@lru_cache(maxsize=16_384)  # ~2 MB when full, in every process that classifies
def stem(word: str) -> str:
    """Snowball stem of one lower-case word (cached: vocabularies are small)."""
    return str(_stemmer().stemWord(word))


@dataclass(frozen=True, slots=True)
class Token:
    """One kept word: its stem (the feature) and the word as it appeared in the input."""

    stem: str
    surface: str


def tokens(text: str) -> list[Token]:
    """Words of ``text`` as stems, stopwords and one-letter words removed, order kept."""
    out: list[Token] = []
    for match in _WORD.finditer(anyascii(text).lower()):
        word = match.group(0).replace("'s", "").replace("'", "")
        if len(word) < 2 or word in STOPWORDS or word.isdigit():
            continue
        out.append(Token(stem(word), word))
    return out


def features(toks: list[Token]) -> list[tuple[str, str]]:
    """(feature, surface text) pairs: unigrams and adjacent bigrams of stems."""
    feats = [(t.stem, t.surface) for t in toks]
    feats.extend((f"{a.stem} {b.stem}", f"{a.surface} {b.surface}") for a, b in pairwise(toks))
    return feats


def feature_list(text: str) -> list[str]:
    """Only the feature strings of ``text`` (training side: surfaces are not needed)."""
    return [f for f, _ in features(tokens(text))]


CHAR_NGRAMS = (3, 4, 5)


def linear_feature_list(text: str) -> list[str]:
    """Features of the linear model: the word features plus character 3-5-grams of each kept
    word (marked ``#``, padded with spaces), so "Therapeutics" meets "therapeutic" and
    "Bancorp" meets "bank" through shared pieces."""
    toks = tokens(text)
    feats = [f for f, _ in features(toks)]
    for t in toks:
        padded = f" {t.surface} "
        for n in CHAR_NGRAMS:
            feats.extend("#" + padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
    return feats


# ---- compound words unknown to the vocabulary (serving only) ---------------------------------
# Everyday wording writes compounds as one word ("steakhouse", "petshop", "skincare", "webshop")
# that the Census index phrases never use, so they carry no feature. A word of six letters or more
# whose stem is not in the vocabulary is split, at serving time only, into two known words, each
# neither a stopword nor a derivational suffix; of several splits, the one whose parts are the
# most frequent in the training documents (lowest summed idf) wins, as in Koehn & Knight's
# frequency-based compound splitting (EACL 2003). A known word is never split.
_COMPOUND = re.compile(r"[A-Za-z]{6,}")
NOT_WORDS = frozenset({"ship", "hood", "ness", "ment", "less", "able", "ful", "ism", "ist", "ity"})
# Parts of at least this many letters: 3 in descriptions and pages ("pet shop", "tap room"); 4 in
# names, whose unknown words are mostly proper nouns ("Stewart" must not become "stew art").
SHORTEST_PART = 3
SHORTEST_NAME_PART = 4


class VocabularyLike(Protocol):
    def get(self, feature: str) -> int | None: ...


class CompoundSplitter:
    """Rewrites unknown compounds of a text into two known words (see above)."""

    def __init__(self, vocabulary: VocabularyLike, idf: np.ndarray) -> None:
        # The fitted word vocabulary (feature -> column) and its idf per column, shared with the
        # model: no copy (a stem never contains a space, so bigram features are never met).
        self.vocabulary = vocabulary
        self.idf = idf

    @lru_cache(maxsize=4_096)  # noqa: B019 - one splitter per loaded model, kept for its life
    def split(self, word: str, shortest: int = SHORTEST_PART) -> str | None:
        """``"left right"`` for an unknown compound ``word`` (lower case), else None."""
        if self.vocabulary.get(stem(word)) is not None:
            return None
        best: tuple[float, str] | None = None
        for i in range(shortest, len(word) - shortest + 1):
            left, right = word[:i], word[i:]
            if left in STOPWORDS or right in STOPWORDS or right in NOT_WORDS:
                continue
            left_col = self.vocabulary.get(stem(left))
            right_col = self.vocabulary.get(stem(right))
            if left_col is None or right_col is None:
                continue
            rarity = float(self.idf[left_col]) + float(self.idf[right_col])
            if best is None or rarity < best[0]:
                best = (rarity, f"{left} {right}")
        return best[1] if best else None

    def rewrite(self, text: str, *, name: bool = False) -> str:
        """``text`` with each unknown compound written as its two words."""
        shortest = SHORTEST_NAME_PART if name else SHORTEST_PART
        return _COMPOUND.sub(lambda m: self.split(m.group(0).lower(), shortest) or m.group(0), text)
