"""Cursor pagination: stable order on (created_at, id), opaque ``next``/``previous`` links."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
from django.http import HttpResponse
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.response import Response


def _timestamp(position: str) -> bool:
    """Whether PostgreSQL reads ``position`` as a timestamp: ISO 8601, offset within a day."""
    try:
        parsed = parse_datetime(position) if "\x00" not in position else None
    except ValueError:
        return False
    offset = parsed.utcoffset() if parsed is not None else None
    return parsed is not None and (offset is None or abs(offset) < timedelta(hours=15))


class CreatedCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200

    def decode_cursor(self, request: Any) -> Cursor | None:
        """The cursor, or a 404 ``not_found``: the page a cursor this API did not write names
        does not exist (DRF's answer, which the schema's fuzzing expects of a well-formed
        string). DRF checks only the encoding and handed a decoded position straight to the
        filter, where a forged one PostgreSQL cannot read ("p=2020-01-01T00:00:00+23:59": an
        offset beyond ±15:59; a batch item index past the integer column) was a 500."""
        cursor = super().decode_cursor(request)
        position = None if cursor is None else cursor.position
        if position is not None and not self.valid_position(str(position)):
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def valid_position(self, position: str) -> bool:
        """Whether the database can read a decoded cursor's position (a ``created_at``)."""
        return _timestamp(position)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {"data": data, "next": self.get_next_link(), "previous": self.get_previous_link()}
        )

    def get_raw_response(self, data: bytes) -> HttpResponse:
        """The same envelope around rows that are already JSON (built by the database)."""
        links = orjson.dumps({"next": self.get_next_link(), "previous": self.get_previous_link()})
        return HttpResponse(b'{"data":' + data + b"," + links[1:], content_type="application/json")

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["data", "next", "previous"],
            "properties": {
                "data": schema,
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
            },
        }
