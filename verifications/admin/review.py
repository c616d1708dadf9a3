"""Admin for verifications and their audit events: the analysts' review console."""

from __future__ import annotations

from django.contrib import admin

from verifications.models import (
    BusinessVerification,
    VerificationEvent,
)


class VerificationEventInline(admin.TabularInline):
    model = VerificationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "actor", "reason", "created_at")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BusinessVerification)
class BusinessVerificationAdmin(admin.ModelAdmin):
    list_display = ("id", "merchant", "integrator", "status", "risk_score", "created_at")
    list_select_related = ("merchant", "integrator")
    list_filter = ("status", "source")
    search_fields = ("=id", "=merchant__id", "=merchant__external_id")
    raw_id_fields = ("merchant", "decided_by_user")
    autocomplete_fields = ("integrator",)
    readonly_fields = ("input_snapshot", "checks", "created_at", "updated_at")
    inlines = (VerificationEventInline,)
    show_full_result_count = False
    ordering = ("-created_at",)
