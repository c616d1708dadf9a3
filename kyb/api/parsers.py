"""JSON request parsing with orjson, strict about what PostgreSQL and our encoders cannot hold.

DRF's stdlib parser let through bodies that later failed as 500s: nesting deep enough to exhaust
the recursion limit, lone surrogates (``"\\ud800"``) that no encoder can write back, and NUL
characters that PostgreSQL refuses in text and JSONB. All of them are a 400 ``malformed_json``
here, before any view runs. orjson also parses faster and caps nesting at 1,024 levels.

What is accepted must be readable again. orjson reads 1,024 levels but writes at most 254, and
PostgreSQL's JSONB gives ``1e20`` back as an integer that no encoder of ours writes past 64 bits.
So bodies nested deeper than ``JSON_MAX_DEPTH`` levels, integers outside the signed 64-bit
range and numbers whose magnitude reaches 2**63 are a 400 too (``json_problem``).
"""

from __future__ import annotations

from typing import IO, Any

import orjson
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

# Deep enough for any real payload (merchant metadata, people, addresses), far enough below
# orjson's 254-level write limit that a response or stored record wrapping it stays writable.
JSON_MAX_DEPTH = 64
# JSONB keeps numbers as exact decimals and hands integral ones back as Python ints: anything
# at or past 2**63 in magnitude would come back as an int that orjson refuses to write.
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1
_FLOAT_LIMIT = float(2**63)


def json_problem(value: Any, *, max_depth: int = JSON_MAX_DEPTH) -> str | None:
    """Why parsed JSON could not be stored and written back (``None`` when it can): nesting
    deeper than ``max_depth``, a NUL in a string or key, a number out of the 64-bit range.
    Iterative, so a deep value cannot exhaust the recursion limit."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "JSON strings must not contain NUL (\\u0000)."
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not _INT_MIN <= item <= _INT_MAX:
                return "JSON integers must fit in 64 bits (-2**63 to 2**63-1)."
        elif isinstance(item, float):
            if not abs(item) < _FLOAT_LIMIT:
                return "JSON numbers must be smaller than 2**63 in magnitude."
        elif isinstance(item, dict | list):
            if depth > max_depth:
                return f"JSON must not be nested deeper than {max_depth} levels."
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return None


class JsonBody(dict[str, Any]):
    """A request body's top-level JSON object, marked as such: StrictSerializer checks the JSON
    types of what it validates only when its data came from a body (query strings are text)."""


class OrjsonParser(BaseParser):
    media_type = "application/json"

    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        try:
            data = orjson.loads(stream.read())
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"JSON parse error: {exc}") from exc
        problem = json_problem(data)
        if problem:
            raise ParseError(problem)
        return JsonBody(data) if isinstance(data, dict) else data


class JsonLinesParser(BaseParser):
    """JSON Lines (one JSON value per line; blank lines are skipped) as a list, with the same
    strictness per line as ``OrjsonParser``. A bad line is a 400 ``malformed_json`` that names
    its line number. For endpoints that take many items (batch submission)."""

    media_type = "application/x-ndjson"

    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        items = []
        for number, line in enumerate(stream.read().split(b"\n"), start=1):
            if not line.strip():
                continue
            try:
                item = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ParseError(f"JSON Lines parse error on line {number}: {exc}") from exc
            problem = json_problem(item)
            if problem:
                raise ParseError(f"line {number}: {problem}")
            items.append(item)
        return items


class JsonlParser(JsonLinesParser):
    """The same format under its other registered name."""

    media_type = "application/jsonl"
