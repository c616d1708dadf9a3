"""How a business known only by its name is read.

Two steps, both at serving time, both only when the name is all the input says:

1. **Name idioms** (``data/name_idioms.csv``): words companies put in their names that the code
   titles and index phrases never use, or use in another sense, are read as the wording of the
   code they stand for: "Bancorp" as "commercial bank", "Therapeutics" as "pharmaceutical
   preparations manufacturing", "... Acquisition Corp" as "blank checks special purpose financial
   vehicles". Each row names that code, and a test checks that its wording is in the code's title
   or index phrases and that a name carrying it classifies there.
2. **Title words only**: the other words of a name count only when some NAICS, SIC or MCC title
   uses them. "First", "Valley", "Horizon" or "Ridge" say nothing about an industry, but each
   matches an index phrase ("first-aid instruction", "ridge tiles") that would name one. When no
   word of the name is in a title, the name is read whole, as before.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from anyascii import anyascii

from .text import tokens

IDIOMS_FILE = Path(__file__).resolve().parents[1] / "data" / "name_idioms.csv"
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class NameIdiom:
    """One row of ``name_idioms.csv``."""

    words: tuple[str, ...]  # the spellings, lower case, words separated by one space
    unless_after: frozenset[str]  # not read this way after one of these words ("care homes")
    unless_before: frozenset[str]  # nor before one of these ("energy drinks")
    reads_as: str
    system: str
    code: str
    why: str


@dataclass(frozen=True)
class NameReading:
    """A name as the models read it, and the idioms it used (surface -> wording)."""

    text: str
    idioms: tuple[tuple[str, str], ...] = ()


def load_idioms(path: Path = IDIOMS_FILE) -> list[NameIdiom]:
    """The idiom table; a malformed row stops the load with the row number."""
    out: list[NameIdiom] = []
    with path.open(newline="", encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            words = tuple(" ".join(_WORD.findall(w.lower())) for w in row["words"].split("|"))
            if (
                not all(words)
                or not row["reads_as"].strip()
                or row["system"]
                not in {
                    "naics",
                    "sic",
                    "mcc",
                }
            ):
                raise ValueError(f"{path.name} line {i}: needs words, reads_as and a system")
            out.append(
                NameIdiom(
                    words=words,
                    unless_after=frozenset(filter(None, row["unless_after"].split("|"))),
                    unless_before=frozenset(filter(None, row.get("unless_before", "").split("|"))),
                    reads_as=row["reads_as"].strip(),
                    system=row["system"],
                    code=row["code"].strip(),
                    why=row["why"].strip(),
                )
            )
    return out


def title_stems(titles: Iterable[str]) -> frozenset[str]:
    """The stems of every word of the code titles."""
    return frozenset(t.stem for title in titles for t in tokens(title))


class NameReader:
    """Reads a name through the idioms, then keeps the words of code titles."""

    def __init__(self, idioms: list[NameIdiom], known: frozenset[str]) -> None:
        self.known = known
        self._idioms = idioms
        spellings = sorted(
            ((w, k) for k, idiom in enumerate(idioms) for w in idiom.words),
            key=lambda x: -len(x[0]),  # the longest spelling first: "acquisition corporation"
        )
        self._which = {w: k for w, k in spellings}
        alternatives = "|".join(re.escape(w) for w, _ in spellings)
        self._pattern = re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")

    def read(self, name: str) -> NameReading:
        """The name's wording for the models."""
        words = _WORD.findall(anyascii(name).lower())
        text = " ".join(words)
        used: list[tuple[str, str]] = []
        parts: list[str] = []
        last = 0
        for match in self._pattern.finditer(text) if self._idioms else ():
            idiom = self._idioms[self._which[match.group(0)]]
            before, after = text[: match.start()].split(), text[match.end() :].split()
            if (before and before[-1] in idiom.unless_after) or (
                after and after[0] in idiom.unless_before
            ):
                continue
            parts.append(text[last : match.start()])
            parts.append(f" {idiom.reads_as} ")
            used.append((match.group(0), idiom.reads_as))
            last = match.end()
        parts.append(text[last:])
        read = " ".join("".join(parts).split())
        kept = [t.surface for t in tokens(read) if t.stem in self.known]
        return NameReading(" ".join(kept) if kept else read if used else name, tuple(used))
