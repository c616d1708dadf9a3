"""``manage.py classify``: classify businesses read as JSON lines on stdin."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from classifications.services import classify_business

FIELDS = ("name", "description", "website_text")


class Command(BaseCommand):
    """Read ``{"id", "name"?, "description"?, "website_text"?}`` lines, write one result line each.

    Output lines are
    ``{"id", "naics": [...], "sic": [...], "mcc": [...], "evidence", "model_version"}``.
    A malformed line yields ``{"id", "line", "error"}`` and the command goes on with the next line.
    """

    help = "Classify JSON lines from stdin into NAICS, SIC and MCC codes (JSON lines on stdout)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-k", type=int, default=None, help="codes per system (default CLASSIFIER_TOP_K)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for line_no, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            self.stdout.write(
                json.dumps(self._one(line, line_no, options["k"]), ensure_ascii=False)
            )

    @staticmethod
    def _one(line: str, line_no: int, k: int | None) -> dict[str, Any]:
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            return {"id": None, "line": line_no, "error": f"invalid JSON: {exc.msg}"}
        if not isinstance(item, dict):
            return {"id": None, "line": line_no, "error": "each line must be a JSON object"}
        texts = {f: item.get(f) or "" for f in FIELDS}
        if not all(isinstance(v, str) for v in texts.values()):
            return {
                "id": item.get("id"),
                "line": line_no,
                "error": "name, description and website_text must be strings",
            }
        if not any(v.strip() for v in texts.values()):
            return {
                "id": item.get("id"),
                "line": line_no,
                "error": "one of name, description, website_text is required",
            }
        result = classify_business(**texts, k=k)
        return {"id": item.get("id"), **result.as_dict()}
