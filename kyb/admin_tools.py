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

from django.contrib import admin
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from kyb.countries import ISO_3166_ALPHA2

EXACT_COUNT_BELOW = 10_000


def planner_row_estimate(queryset: QuerySet[Any]) -> int | None:
    """The planner's row estimate for ``queryset`` (None if it cannot be asked)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. .none(): Django knows there is nothing without asking
        return 0
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
    # Text columns that may hold UUID-shaped values (integrators often use UUIDs as external
    # ids): with a UUID term they are matched exactly against the term as typed (indexed too).
    uuid_text_fields: tuple[str, ...] = ()
    # True where nothing but ids is searchable: any other term finds nothing, without a scan.
    uuid_search_only = False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        try:
            value = uuid.UUID(term)
        except ValueError:
            if self.uuid_search_only and term:
                return queryset.none(), False
            return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]
        lookups: list[Any] = [(f, value) for f in self.uuid_search_fields]
        for name in self.uuid_text_fields:
            relation, _, column = name.rpartition("__")
            if not relation:
                lookups.append((f"{column}__exact", term))
                continue
            # Across a relation, the related ids first (one indexed query): an OR with a joined
            # table's column, or with a subquery, makes PostgreSQL scan; "fk IN (ids)" beside
            # the other id lookups is a bitmap OR of index scans.
            related = queryset.model._meta.get_field(relation).related_model
            matches = related._default_manager.filter(**{column: term})
            ids = list(matches.values_list("pk", flat=True)[:100])
            if ids:
                lookups.append((f"{relation}__in", ids))
        return queryset.filter(Q.create(lookups, connector=Q.OR)), False


class ReadOnlyAdminMixin:
    """Rows the admin shows but never adds, edits or deletes: they are written by their
    service or machinery only (reference tables, webhook events and attempts). For a
    ModelAdmin or an inline."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SaveChangedFieldsMixin:
    """On change, write only the columns the form changed (plus ``auto_now`` timestamps).

    ModelAdmin saves every column of the row as it was read when the page was posted, so an
    admin edit of a name could undo a revoke, a secret rotation or a worker's status update that
    committed meanwhile. Adding a row saves normally.
    """

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            return
        changed = [f.attname for f in obj._meta.concrete_fields if f.name in form.changed_data]
        if not changed:
            return
        stamps = [f.attname for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]
        obj.save(update_fields=[*changed, *stamps])


class FixedChoicesFilter(admin.SimpleListFilter):
    """A list filter over a fixed list of values, on the column named by ``parameter_name``.

    Django builds a plain field filter's options with ``SELECT DISTINCT`` over the whole table,
    which on millions of rows is a scan per page view; these options come from code.
    """

    values: tuple[str, ...] = ()

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, value) for value in self.values]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(**{str(self.parameter_name): value}) if value else queryset


class CountryFilter(FixedChoicesFilter):
    """ISO 3166-1 alpha-2 countries, from the table in ``kyb.countries``."""

    title = "country"
    parameter_name = "country"
    values = tuple(sorted(ISO_3166_ALPHA2))
