"""Console: batches with their progress, read-only (they are created through the API or the
internal task, and decided by the pipeline)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join

from batches.models import VerificationBatch
from batches.selectors import batch_counts
from kyb.admin_tools import UUIDSearchMixin


@admin.register(VerificationBatch)
class VerificationBatchAdmin(UUIDSearchMixin, admin.ModelAdmin):
    list_display = ("id", "integrator", "source", "total", "progress", "status", "created_at")
    list_filter = ("source",)
    list_select_related = ("integrator",)
    # A batch id, or an integrator's name.
    uuid_search_fields = ("id",)
    search_fields = ("integrator__name",)
    ordering = ("-created_at",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    fields = (
        "id",
        "integrator",
        "source",
        "status",
        "total",
        "progress",
        "counts",
        "created_at",
        "updated_at",
        "completed_at",
    )
    readonly_fields = fields

    @admin.display(description="decided")
    def progress(self, batch: VerificationBatch) -> str:
        done = batch.decided_count + batch.invalid_count
        percent = 100 * done // batch.total if batch.total else 100
        return f"{done} / {batch.total} ({percent}%)"

    @admin.display(description="status")
    def status(self, batch: VerificationBatch) -> str:
        return "completed" if batch.completed_at else "processing"

    @admin.display(description="items by status")
    def counts(self, batch: VerificationBatch) -> str:
        # In lifecycle order (batch_counts keeps ITEM_STATUSES' order).
        return format_html_join("", "<div>{}: {}</div>", batch_counts(batch_id=batch.id).items())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
