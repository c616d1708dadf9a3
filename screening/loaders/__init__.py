"""Parsers for the list formats the screening engine loads."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from screening.loaders.base import Identifier, LoadError, LoadIssue, ParsedEntry, ParseResult
from screening.loaders.custom import parse_custom
from screening.loaders.ofac import parse_ofac
from screening.loaders.un import parse_un

__all__ = [
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
    if len(paths) != 1:
        raise ValueError(f"source {source} takes exactly one file, got {len(paths)}")
    if source == "un":
        return parse_un(paths[0])
    if source == "custom":
        return parse_custom(paths[0])
    raise ValueError(f"unknown list source {source!r}")
