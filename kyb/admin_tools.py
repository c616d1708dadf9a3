"""Admin helpers for tables with millions of rows: estimated counts, indexed id search.

Django's changelist counts the filtered rows on every page (``COUNT(*)``, even with
``show_full_result_count = False``), which on a million rows costs more than the page itself.
``EstimatedCountPaginator`` asks the planner first (``EXPLAIN``: planning only, no execution);
when it expects at most ``EXACT_COUNT_BELOW`` rows it counts exactly, otherwise it shows the
estimate. The page links past the end of an over-estimate are simply empty.
"""

from __future__ import annotations

import json
import uuid
from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import HttpRequest

EXACT_COUNT_BELOW = 10_000


def planner_row_estimate(queryset: QuerySet[Any]) -> int | None:
    """The planner's row estimate for ``queryset`` (None if it cannot be asked)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        row = cursor.fetchone()
    if row is None:
        return None
    plan = row[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    rows = plan[0]["Plan"].get("Plan Rows")
    return int(rows) if rows is not None else None


class EstimatedCountPaginator(Paginator):
    """Exact count for small results, the planner's estimate for large ones."""

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if isinstance(object_list, QuerySet):
            estimate = planner_row_estimate(object_list)
            if estimate is not None and estimate >= EXACT_COUNT_BELOW:
                return estimate
        return super().count


class UUIDSearchMixin:
    """Admin search that finds a row by id through its index.

    Django's ``=field`` search is ``UPPER(field::text) = UPPER(term)`` and ``field__exact`` on a
    UUID casts the column to text: both read every row. A term that parses as a UUID is looked up
    here in ``uuid_search_fields`` only (exact, indexed); any other term goes to the usual
    ``search_fields``.
    """

    uuid_search_fields: tuple[str, ...] = ("pk",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        try:
            value = uuid.UUID(search_term.strip())
        except ValueError:
            return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]
        query = Q.create([(f, value) for f in self.uuid_search_fields], connector=Q.OR)
        return queryset.filter(query), False
