"""Parsers for the list formats the screening engine loads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from screening.loaders.base import Identifier, LoadError, LoadIssue, ParsedEntry, ParseResult
from screening.loaders.ca import parse_ca
from screening.loaders.ch import parse_ch
from screening.loaders.custom import parse_custom
from screening.loaders.eu import parse_eu
from screening.loaders.ofac import parse_ofac
from screening.loaders.uk import parse_uk_fcdo, parse_uk_ofsi
from screening.loaders.un import parse_un

# Sources whose list is one file, and the parser that reads it.
SINGLE_FILE_PARSERS: dict[str, Callable[[Path], ParseResult]] = {
    "un": parse_un,
    "eu_fsf": parse_eu,
    "uk_ofsi": parse_uk_ofsi,
    "uk_fcdo": parse_uk_fcdo,
    "ch_seco": parse_ch,
    "ca_sema": parse_ca,
    "custom": parse_custom,
}

__all__ = [
    "SINGLE_FILE_PARSERS",
    "Identifier",
    "LoadError",
    "LoadIssue",
    "ParseResult",
    "ParsedEntry",
    "parse_files",
]


def parse_files(source: str, paths: Sequence[Path]) -> ParseResult:
    """Parse the files of one list source into entries and issues."""
    if source in ("ofac_sdn", "ofac_cons"):
        return parse_ofac(paths)
    if source not in SINGLE_FILE_PARSERS:
        raise ValueError(f"unknown list source {source!r}")
    if len(paths) != 1:
        raise ValueError(f"source {source} takes exactly one file, got {len(paths)}")
    return SINGLE_FILE_PARSERS[source](paths[0])
