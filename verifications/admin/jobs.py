"""Admin for pipeline jobs, the offline register and internal submissions."""

from __future__ import annotations

from django.contrib import admin

from verifications.models import (
    InternalSubmission,
    PipelineJob,
    RegistryEntity,
)


@admin.register(PipelineJob)
class PipelineJobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "subject_id", "queue", "status", "attempts", "created_at")
    list_filter = ("status", "kind", "queue")
    search_fields = ("=subject_id", "=task_id")
    readonly_fields = ("last_error", "created_at", "updated_at")
    show_full_result_count = False
    ordering = ("-created_at",)


@admin.register(RegistryEntity)
class RegistryEntityAdmin(admin.ModelAdmin):
    """The offline register (``manage.py registry_load``): read-only reference data."""

    list_display = ("lei", "legal_name", "country", "entity_status", "registration_status")
    list_filter = ("entity_status", "registration_status", "country")
    search_fields = ("=lei", "^name_key")
    readonly_fields = [f.name for f in RegistryEntity._meta.fields]
    show_full_result_count = False
    ordering = ("lei",)


@admin.register(InternalSubmission)
class InternalSubmissionAdmin(admin.ModelAdmin):
    """Submissions through ``kyb.verifications.submit`` and their idempotency keys."""

    list_display = ("idempotency_key", "integrator", "verification", "created_at")
    list_select_related = ("integrator", "verification")
    search_fields = ("=idempotency_key", "=verification__id")
    readonly_fields = ("integrator", "idempotency_key", "request_hash", "verification")
    show_full_result_count = False
    ordering = ("-created_at",)

    def has_add_permission(self, request, obj=None):
        return False
