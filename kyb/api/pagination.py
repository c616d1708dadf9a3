"""Cursor pagination: stable order on (created_at, id), opaque ``next``/``previous`` links."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpResponse
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.response import Response


class CreatedCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200

    def decode_cursor(self, request: Any) -> Cursor | None:
        """DRF checks the cursor's encoding but hands its position straight to the filter; a
        forged position that is not a timestamp then failed in the database as a 500."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            position = str(cursor.position)
            try:
                valid = "\x00" not in position and parse_datetime(position) is not None
            except ValueError:
                valid = False
            if not valid:
                raise NotFound(self.invalid_cursor_message)
        return cursor

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
