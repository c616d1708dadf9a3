"""Business-name normalisation and similarity, shared by the registry and website checks."""

from __future__ import annotations

from screening.matching.normalize import tokenize
from screening.matching.vocabulary import split_legal_forms

# Articles and connectors that say nothing about which business it is ("The", "&", "of").
_FILLER = frozenset({"the", "and", "of"})


def _words(text: str) -> list[str]:
    # The screening tokenizer, uncached: whole page texts pass through here.
    return [w for w in tokenize.__wrapped__(text or "") if w not in _FILLER]


def normalise(name: str) -> str:
    """``"The ACME Trading (UK) Ltd."`` -> ``"acme trading uk"``: the screening matcher's tokens
    (ASCII, lower case, punctuation removed) with the legal forms at either end split off by its
    legal-form vocabulary (``screening.matching.vocabulary``, one list for both), and articles
    dropped. Used as the registry table's lookup key."""
    words = _words(name)
    core, _forms = split_legal_forms(tuple(words))
    return " ".join(core)


def normalise_text(text: str) -> str:
    """A page's text as words comparable with ``normalise``'d names (nothing split off)."""
    return " ".join(_words(text))


def similarity(a: str, b: str) -> float:
    """Order-insensitive similarity of two names in [0, 1]."""
    left, right = normalise(a), normalise(b)
    if not left or not right:
        return 0.0
    from rapidfuzz import fuzz  # here: web workers import this module but never compare

    return fuzz.token_sort_ratio(left, right) / 100.0
