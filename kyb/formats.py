"""Wire formats shared by the API, the cache and webhook bodies."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import orjson


def iso_utc(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a ``Z`` suffix (``2026-01-02T03:04:05.123456Z``), or None."""
    return value.isoformat().replace("+00:00", "Z") if value else None


def json_bytes(data: Any) -> bytes:
    """JSON as bytes: orjson, or the stdlib encoder for what orjson cannot write (integers past
    64 bits, nesting past 254 levels, stored before the API refused them): readable, slowly."""
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:
        return json.dumps(data, separators=(",", ":")).encode()
