"""Admin for classifications; tuned for large tables."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from classifications.models import Classification
from kyb.admin_tools import ReadOnlyAdminMixin, UUIDSearchMixin


@admin.register(Classification)
class ClassificationAdmin(UUIDSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin[Any]):
    """A run's output, kept as the evidence of its verification: written by the pipeline only.
    Searched by merchant id through its index ("=business__id" and "=code" compared the columns
    as upper-case text: every row read)."""

    list_display = ("business", "code_system", "code", "description", "confidence", "rank")
    list_select_related = ("business",)
    list_filter = ("code_system",)
    uuid_search_fields = ("business_id",)
    uuid_search_only = True
    search_fields = ("=business__id",)  # shows the search box; UUIDSearchMixin answers it
    search_help_text = "merchant id"
    raw_id_fields = ("business", "verification")
    show_full_result_count = False
    ordering = ("-created_at",)


# --- Reference data (issue 6): read-only in the admin; ``load_reference_data`` owns the rows. ----

from classifications.models import (  # noqa: E402
    IndustryCrosswalk,
    MerchantCategoryCode,
    NaicsCode,
    SicCode,
)


class _ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Any]):
    """Reference tables: ``load_reference_data`` owns the rows."""


@admin.register(NaicsCode)
class NaicsCodeAdmin(_ReadOnlyAdmin):
    list_display = ("code", "title", "level", "trilateral")
    list_filter = ("level",)
    search_fields = ("code", "title", "index_phrases__phrase")


@admin.register(SicCode)
class SicCodeAdmin(_ReadOnlyAdmin):
    list_display = ("code", "title", "major_group_title", "sec_office")
    search_fields = ("code", "title", "sec_title")


@admin.register(MerchantCategoryCode)
class MerchantCategoryCodeAdmin(_ReadOnlyAdmin):
    list_display = ("code", "title", "risk", "risk_category", "is_brand")
    list_filter = ("risk", "is_brand")
    search_fields = ("code", "title")


@admin.register(IndustryCrosswalk)
class IndustryCrosswalkAdmin(_ReadOnlyAdmin):
    list_display = (
        "source_system",
        "source_code",
        "target_system",
        "target_code",
        "weight",
        "method",
    )
    list_filter = ("source_system", "target_system", "method")
    search_fields = ("=source_code", "=target_code")
