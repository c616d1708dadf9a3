"""Admin: list versions and entries, and the cleared hits (all read-only here)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from kyb.admin_tools import ReadOnlyAdminMixin
from screening.models import ClearedHit, WatchList, WatchListChange, WatchListEntry, WatchListFeed
from screening.selectors import watchlist_is_stale


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Any]):
    """Lists are changed by loading a new version, never by editing rows: no add, change or
    delete (a deleted entry stopped matching in every process that rebuilt its index, with no
    trace but the admin's log)."""


@admin.register(WatchList)
class WatchListAdmin(ReadOnlyAdmin):
    list_display = (
        "source",
        "name",
        "version",
        "is_active",
        "entry_count",
        "skipped_rows",
        "published_at",
        "current",
        "loaded_at",
        "origin",
    )
    list_filter = ("source", "is_active")
    ordering = ("source", "name", "-version")

    @admin.display(boolean=True, description="current")
    def current(self, obj: WatchList) -> bool:
        """False for a list published longer ago than SCREENING_STALE_DAYS or a bundled demo
        snapshot: screening against it does not reflect today's sanctions."""
        return not watchlist_is_stale(obj)


@admin.register(WatchListFeed)
class WatchListFeedAdmin(ReadOnlyAdmin):
    """The fetcher's state per official source: last outcome, error, consecutive failures."""

    list_display = ("source", "outcome", "checked_at", "succeeded_at", "failures", "error", "url")
    list_filter = ("outcome",)


@admin.register(WatchListChange)
class WatchListChangeAdmin(ReadOnlyAdmin):
    """What each load changed, and whether ongoing monitoring re-screened merchants against it."""

    list_display = (
        "source",
        "name",
        "from_version",
        "to_version",
        "added_count",
        "changed_count",
        "removed_count",
        "rescreened_at",
        "alerts",
        "created_at",
    )
    list_filter = ("source",)

    @admin.display(description="added")
    def added_count(self, obj: WatchListChange) -> int:
        return len(obj.added)

    @admin.display(description="changed")
    def changed_count(self, obj: WatchListChange) -> int:
        return len(obj.changed)

    @admin.display(description="removed")
    def removed_count(self, obj: WatchListChange) -> int:
        return len(obj.removed)


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
