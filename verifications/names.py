"""Business-name normalisation and similarity, shared by the registry and website checks."""

from __future__ import annotations

import re

from anyascii import anyascii

# Legal-form words that say nothing about which business it is.
LEGAL_FORMS = frozenset(
    [
        "ltd",
        "limited",
        "inc",
        "incorporated",
        "llc",
        "llp",
        "lp",
        "plc",
        "corp",
        "corporation",
        "co",
        "company",
        "gmbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "sl",
        "bv",
        "nv",
        "oy",
        "ab",
        "as",
        "aps",
        "asa",
        "kk",
        "pty",
        "pte",
        "bhd",
        "sdn",
        "cv",
        "se",
        "ltda",
        "eirl",
        "cic",
        "the",
        "and",
        "of",
    ]
)
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise(name: str) -> str:
    """``"ACME Trading (UK) Ltd."`` -> ``"acme trading uk"``: ASCII, lower case, legal forms and
    punctuation removed. Used as the registry table's lookup key."""
    words = _NON_WORD.sub(" ", anyascii(name or "").lower().replace("&", " and ")).split()
    kept = [w for w in words if w not in LEGAL_FORMS]
    return " ".join(kept or words)


def similarity(a: str, b: str) -> float:
    """Order-insensitive similarity of two names in [0, 1]."""
    left, right = normalise(a), normalise(b)
    if not left or not right:
        return 0.0
    from rapidfuzz import fuzz  # here: web workers import this module but never compare

    return fuzz.token_sort_ratio(left, right) / 100.0
