"""Admin for pipeline jobs (job control: browse by status and age, see the last error, retry),
the offline register and internal submissions."""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta
from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from kyb.admin_tools import (
    CountryFilter,
    EstimatedCountPaginator,
    FixedChoicesFilter,
    ReadOnlyAdminMixin,
)
from kyb.queues import Queue
from verifications import names
from verifications.models import (
    InternalSubmission,
    JobKind,
    PipelineJob,
    RegistryEntity,
)
from verifications.pipeline.jobs import JobNotRetryable, pipeline_job_retry

LAST_ERROR_LIST_CHARS = 80


class JobAgeFilter(admin.SimpleListFilter):
    """Age of a job by ``created_at`` (indexed: ``idx_pipeline_jobs_created_at``)."""

    title = "age"
    parameter_name = "age"
    BOUNDS = {"5m": timedelta(minutes=5), "1h": timedelta(hours=1), "1d": timedelta(days=1)}

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("5m", "< 5 min"), ("1h", "< 1 hour"), ("1d", "< 1 day"), ("older", "older")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        if self.value() in self.BOUNDS:
            return queryset.filter(created_at__gte=now - self.BOUNDS[str(self.value())])
        if self.value() == "older":
            return queryset.filter(created_at__lt=now - self.BOUNDS["1d"])
        return queryset


class QueueFilter(FixedChoicesFilter):
    """Queues from ``kyb.queues``."""

    title = "queue"
    parameter_name = "queue"
    values = tuple(q.value for q in Queue)


@admin.register(PipelineJob)
class PipelineJobAdmin(admin.ModelAdmin[Any]):
    """Job control. Jobs are written by the pipeline only: read-only here, never deleted (they
    are the outbox and the record of what ran); ``failed``/``dead`` ones can be retried."""

    list_display = (
        "id",
        "kind",
        "subject",
        "queue",
        "status",
        "attempts",
        "age",
        "last_error_short",
        "created_at",
    )
    list_filter = ("status", JobAgeFilter, "kind", QueueFilter)
    # See get_search_results: both lookups are exact (and the subject one indexed).
    search_fields = ("subject_id",)
    search_help_text = "verification id, or task:<Celery task id>"
    # No foreign keys to follow; declared so nobody adds one to list_display without it.
    list_select_related = ()
    fields = (
        "kind",
        "subject",
        "queue",
        "status",
        "attempts",
        "max_attempts",
        "last_error",
        "task_id",
        "payload",
        "enqueued_at",
        "started_at",
        "finished_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    actions = ("retry",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # per-option counts would scan the table
    ordering = ("-created_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """*change* guards the retry action; a job's own page is view-only (no Save button
        that could write back a status a worker changed meanwhile)."""
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[PipelineJob], search_term: str
    ) -> tuple[QuerySet[PipelineJob], bool]:
        """Exact lookups only. ``(kind, subject_id)`` is the table's unique index; naming every
        kind lets PostgreSQL use it for a subject id alone. ``task:<id>`` (not indexed) scans."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.startswith("task:"):
            return queryset.filter(task_id=term.removeprefix("task:").strip()), False
        # Subject ids are stored as canonical UUID text: accept any spelling of one.
        with contextlib.suppress(ValueError):
            term = str(uuid.UUID(term))
        return queryset.filter(kind__in=JobKind.values, subject_id=term), False

    @admin.display(description="subject")
    def subject(self, job: PipelineJob) -> str:
        if job.kind == JobKind.VERIFICATION:
            url = reverse("admin:verifications_businessverification_change", args=[job.subject_id])
            return format_html(
                '<a href="{}" title="{}">{}…</a>', url, job.subject_id, job.subject_id[:8]
            )
        return job.subject_id

    @admin.display(description="age")
    def age(self, job: PipelineJob) -> str:
        seconds = int((timezone.now() - job.created_at).total_seconds())
        for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
            if seconds >= size:
                return f"{seconds // size} {unit}"
        return f"{seconds} s"

    @admin.display(description="last error")
    def last_error_short(self, job: PipelineJob) -> str:
        return Truncator(job.last_error).chars(LAST_ERROR_LIST_CHARS)

    @admin.action(description="Retry the selected failed/dead jobs", permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[PipelineJob]) -> None:
        """Each job through ``pipeline_job_retry``; refusals are reported, nothing else moves."""
        actor = request.user.get_username()
        retried = 0
        for job_id in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                pipeline_job_retry(job_id=job_id, actor=actor, actor_user_id=request.user.pk)
            except JobNotRetryable as exc:
                self.message_user(request, f"Not retried: {exc}", messages.WARNING)
            else:
                retried += 1
        if retried:
            self.message_user(request, f"{retried} job(s) queued again.", messages.SUCCESS)


class EntityStatusFilter(FixedChoicesFilter):
    title = "entity status"
    parameter_name = "entity_status"
    values = ("ACTIVE", "INACTIVE")


class RegistrationStatusFilter(FixedChoicesFilter):
    """GLEIF registration statuses (LEI-CDF 3.1)."""

    title = "registration status"
    parameter_name = "registration_status"
    values = (
        "ISSUED",
        "LAPSED",
        "PENDING_TRANSFER",
        "PENDING_ARCHIVAL",
        "MERGED",
        "RETIRED",
        "ANNULLED",
        "DUPLICATE",
        "TRANSFERRED",
        "CANCELLED",
    )


@admin.register(RegistryEntity)
class RegistryEntityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Any]):
    """The offline register (``manage.py registry_load``): read-only reference data, replaced by
    ``registry_load`` (its add form, all fields read-only, was a 500), millions of rows in
    production (the GLEIF golden copy): fixed filters, estimated counts, indexed search."""

    list_display = ("lei", "legal_name", "country", "entity_status", "registration_status")
    list_filter = (EntityStatusFilter, RegistrationStatusFilter, CountryFilter)
    search_fields = ("=lei",)  # shows the search box; get_search_results answers it
    readonly_fields = [f.name for f in RegistryEntity._meta.fields]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    ordering = ("lei",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        """An LEI (exact, unique index) or the start of a name, compared as the loader keys it
        (``name_key`` prefix, ``idx_registry_entities_prefix``)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        key = names.normalise(term)
        lookup = Q(lei=term.upper())
        if key:
            lookup |= Q(name_key__startswith=key)
        return queryset.filter(lookup), False


@admin.register(InternalSubmission)
class InternalSubmissionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Any]):
    """Submissions through ``kyb.verifications.submit`` and their idempotency keys: the record
    of a submission, view-only (deleting one would let a retry submit twice)."""

    list_display = ("idempotency_key", "integrator", "verification", "created_at")
    list_select_related = ("integrator", "verification")
    search_fields = ("=idempotency_key", "=verification__id")
    readonly_fields = ("integrator", "idempotency_key", "request_hash", "verification")
    show_full_result_count = False
    ordering = ("-created_at",)
