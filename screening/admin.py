"""Admin: list versions and entries, and the cleared hits (all read-only here)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from screening.models import ClearedHit, WatchList, WatchListEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists are changed by loading a new version, never by editing rows."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WatchList)
class WatchListAdmin(ReadOnlyAdmin):
    list_display = (
        "source",
        "name",
        "version",
        "is_active",
        "entry_count",
        "skipped_rows",
        "loaded_at",
    )
    list_filter = ("source", "is_active")
    ordering = ("source", "name", "-version")


@admin.register(WatchListEntry)
class WatchListEntryAdmin(ReadOnlyAdmin):
    list_display = ("entity_id", "primary_name", "entity_type", "watchlist")
    list_filter = ("watchlist__source", "watchlist__is_active", "entity_type")
    search_fields = ("entity_id", "primary_name")
    list_select_related = ("watchlist",)
    show_full_result_count = False


@admin.register(ClearedHit)
class ClearedHitAdmin(ReadOnlyAdmin):
    """The false-positive memory, read-only. Hits are cleared only from a verification's page in
    the review console (``verifications.review.verification_hit_clear``), which checks the case
    is in review and held by the analyst, that the hit is in its evidence, and writes the audit
    row; an add form here would skip all of that. Deleting a clearing raises the hit again."""

    list_display = ("merchant", "list_source", "entity_id", "cleared_by", "created_at")
    list_filter = ("list_source",)
    search_fields = ("entity_id", "merchant__legal_name", "reason")
    list_select_related = ("merchant", "cleared_by")
