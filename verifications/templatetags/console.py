"""Template filters of the review console."""

from __future__ import annotations

from datetime import datetime

from django import template

register = template.Library()


@register.filter
def iso_short(value: str | None) -> str:
    """An ISO 8601 timestamp from check evidence as "2026-11-30 14:30" (UTC), like every other
    date in the console; anything unparseable is shown as it is."""
    if not value:
        return "—"
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value)
