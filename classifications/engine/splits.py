"""The documented, deterministic split of the NAICS index phrases.

Each (code, phrase) pair goes to a bucket by the MD5 of ``"code|phrase"``: 70% train (indexed by the
model), 15% calibration (fits the isotonic confidence maps and the two blend parameters), 15% test
(only the benchmark reads it). The split never changes when the code changes, and anyone can
recompute it from the official Census file.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from .sources import EverydayBusiness, everyday_businesses, naics_index_phrases

Split = Literal["train", "calib", "test"]


def bucket(key: str, n: int) -> int:
    """The documented split rule: the first 8 hex digits of the MD5 of ``key``, modulo ``n``."""
    return int(hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()[:8], 16) % n


def split_of(code: str, phrase: str) -> Split:
    """Bucket of one index phrase."""
    b = bucket(f"{code}|{phrase}", 100)
    if b < 70:
        return "train"
    return "calib" if b < 85 else "test"


def phrases(split: Split) -> list[tuple[str, str]]:
    """(NAICS 6-digit code, phrase) pairs of one split, in file order."""
    return [(c, p) for c, p in naics_index_phrases() if split_of(c, p) == split]


# ---- names-only set (Companies House sample, benchmark use only) -----------------------------
NamesSplit = Literal["names-dev", "names-test"]


def names_split_of(company_number: str) -> NamesSplit:
    """Bucket of one registered company: half may be looked at while tuning, half never is.

    Frozen before any names-only tuning (same MD5 rule as the phrases, keyed by company number).
    """
    return "names-dev" if bucket(f"names|{company_number}", 2) == 0 else "names-test"


# ---- everyday-wording set (fictional businesses, benchmark and calibration use) ---------------
EverydaySplit = Literal["everyday-dev", "everyday-test"]


def everyday_split_of(name: str, description: str) -> EverydaySplit:
    """Bucket of one everyday description: the dev half may be tuned and calibrated on, the test
    half never is.

    Frozen before the set was first scored (same MD5 rule as the others, keyed by the business's
    name and description).
    """
    return "everyday-dev" if bucket(f"everyday|{name}|{description}", 2) == 0 else "everyday-test"


def everyday(split: EverydaySplit) -> list[EverydayBusiness]:
    """The rows of one half of the everyday-wording set, in file order."""
    return [b for b in everyday_businesses() if everyday_split_of(b.name, b.description) == split]
