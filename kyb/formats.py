"""Wire formats shared by the API, the cache and webhook bodies."""

from __future__ import annotations

from datetime import datetime


def iso_utc(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a ``Z`` suffix (``2026-01-02T03:04:05.123456Z``), or None."""
    return value.isoformat().replace("+00:00", "Z") if value else None
