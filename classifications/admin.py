"""Admin for classifications; tuned for large tables."""

from __future__ import annotations

from django.contrib import admin

from classifications.models import Classification


@admin.register(Classification)
class ClassificationAdmin(admin.ModelAdmin):
    list_display = ("business", "code_system", "code", "description", "confidence", "rank")
    list_select_related = ("business",)
    list_filter = ("code_system",)
    search_fields = ("=business__id", "=code")
    raw_id_fields = ("business", "verification")
    show_full_result_count = False
    ordering = ("-created_at",)
