"""Admin: list versions and entries (read-only), cleared hits (created through the service)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from screening import selectors
from screening.models import ClearedHit, WatchList, WatchListEntry
from screening.services import screening_hit_clear


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


class ClearedHitForm(forms.ModelForm):
    class Meta:
        model = ClearedHit
        fields = ("merchant", "list_source", "entity_id", "reason")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source, entity_id = data.get("list_source"), data.get("entity_id")
        if (
            source
            and entity_id
            and not selectors.watchlist_entry_current(list_source=source, entity_id=entity_id)
        ):
            raise forms.ValidationError("This entity is not on an active version of that list.")
        return data


@admin.register(ClearedHit)
class ClearedHitAdmin(admin.ModelAdmin):
    form = ClearedHitForm
    list_display = ("merchant", "list_source", "entity_id", "cleared_by", "created_at")
    list_filter = ("list_source",)
    search_fields = ("entity_id", "merchant__legal_name", "reason")
    raw_id_fields = ("merchant",)
    readonly_fields = ("content_hash", "cleared_by", "created_at")
    list_select_related = ("merchant", "cleared_by")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None  # a clearing is a record; delete it to raise the hit again

    def save_model(self, request: HttpRequest, obj: ClearedHit, form: Any, change: bool) -> None:
        saved = screening_hit_clear(
            merchant_id=obj.merchant_id,
            list_source=obj.list_source,
            entity_id=obj.entity_id,
            cleared_by=request.user,
            reason=obj.reason,
        )
        obj.pk, obj.content_hash, obj.created_at = saved.pk, saved.content_hash, saved.created_at
