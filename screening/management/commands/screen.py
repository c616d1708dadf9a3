"""``manage.py screen < names.jsonl``: screen JSON lines from stdin, write results to stdout."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.services import ScreeningError, screen_name


class Command(BaseCommand):
    """Screen names read as JSON lines ``{"id", "name", "type"?, "country"?, "identifiers"?}``
    and write ``{"id", "hits": [...]}`` per line, best hits first. A bad line (not JSON, no
    string ``name``, ``type``/``country`` not a string, ``identifiers`` not a list of strings or
    numbers) gets ``{"id", "line", "error"}`` and the stream goes on."""

    help = __doc__
    stealth_options = ("stdin",)  # a stream to read instead of sys.stdin (tests, callers)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=None, help="hits per name (SCREENING_MAX_HITS)"
        )
        parser.add_argument("--matches-only", action="store_true", help="only hits with match=true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be 1 or more")
        stream = options.get("stdin") or sys.stdin
        for line_number, line in enumerate(stream, start=1):
            if line.strip():
                result = self._screen(line, line_number, options)
                self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _screen(self, line: str, line_number: int, options: dict[str, Any]) -> dict[str, Any]:
        try:
            query = json.loads(line)
        except json.JSONDecodeError as exc:
            return {"id": None, "line": line_number, "error": f"not JSON: {exc}"}
        if not isinstance(query, dict) or not isinstance(query.get("name"), str):
            return {"id": None, "line": line_number, "error": "expected an object with a 'name'"}
        if problem := _field_problem(query):
            return {"id": query.get("id"), "line": line_number, "error": problem}
        try:
            hits = screen_name(
                name=query["name"],
                entity_type=query.get("type") or "any",
                country=query.get("country"),
                identifiers=[str(i) for i in query.get("identifiers") or ()],
                limit=options["limit"],
            )
        except ScreeningError as exc:
            return {"id": query.get("id"), "line": line_number, "error": str(exc)}
        if options["matches_only"]:
            hits = [h for h in hits if h.match]
        return {"id": query.get("id"), "hits": [h.as_dict() for h in hits]}


def _field_problem(query: dict[str, Any]) -> str | None:
    """Why the optional fields of a query line are unusable, or None."""
    for key in ("type", "country"):
        if query.get(key) is not None and not isinstance(query[key], str):
            return f"'{key}' must be a string"
    identifiers = query.get("identifiers")
    if identifiers is not None and (
        not isinstance(identifiers, list)
        or not all(
            isinstance(i, str | int | float) and not isinstance(i, bool) for i in identifiers
        )
    ):
        return "'identifiers' must be a list of strings"
    return None
