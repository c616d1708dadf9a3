"""Verification runs, their audit trail, and the durable job outbox."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Case, Q, Value, When


class VerificationStatus(models.TextChoices):
    PENDING = "pending", "pending"
    PROCESSING = "processing", "processing"
    APPROVED = "approved", "approved"
    IN_REVIEW = "in_review", "in review"
    REJECTED = "rejected", "rejected"
    ERROR = "error", "error"


TERMINAL_STATUSES = frozenset(
    {VerificationStatus.APPROVED, VerificationStatus.REJECTED, VerificationStatus.ERROR}
)

# The lifecycle (DESIGN.md). ``error`` is retryable: it may go back to pending.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    VerificationStatus.PENDING: frozenset(
        {VerificationStatus.PROCESSING, VerificationStatus.ERROR}
    ),
    VerificationStatus.PROCESSING: frozenset(
        {
            VerificationStatus.APPROVED,
            VerificationStatus.IN_REVIEW,
            VerificationStatus.REJECTED,
            VerificationStatus.ERROR,
            # A worker that died mid-run is swept back to pending for another attempt.
            VerificationStatus.PENDING,
        }
    ),
    VerificationStatus.IN_REVIEW: frozenset(
        {VerificationStatus.APPROVED, VerificationStatus.REJECTED}
    ),
    VerificationStatus.APPROVED: frozenset(),
    VerificationStatus.REJECTED: frozenset(),
    VerificationStatus.ERROR: frozenset({VerificationStatus.PENDING}),
}


# 0 for cases waiting in review, 1 for the rest. The queue orders by this and created_at; the
# expression index below must stay identical to it for PostgreSQL to use the index.
IN_REVIEW_FIRST = Case(
    When(status="in_review", then=Value(0)),
    default=Value(1),
    output_field=models.IntegerField(),
)


class VerificationSource(models.TextChoices):
    API = "api", "API"
    INTERNAL = "internal", "internal task"
    BATCH = "batch", "batch"
    ADMIN = "admin", "admin"
    # A review case opened by ongoing monitoring after a sanctions list changed.
    MONITORING = "monitoring", "ongoing monitoring"


class BusinessVerification(models.Model):
    """One verification run of a merchant: input snapshot, per-check results, risk, decision."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="verifications"
    )
    integrator = models.ForeignKey(
        "tenancy.Integrator", on_delete=models.PROTECT, related_name="verifications"
    )
    status = models.CharField(
        max_length=16, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    source = models.CharField(
        max_length=16, choices=VerificationSource.choices, default=VerificationSource.API
    )
    input_snapshot = models.JSONField(default=dict, blank=True)
    # False: a sandbox run (its merchant's mode): recorded responses, never an outside call.
    livemode = models.BooleanField(default=True)
    checks = models.JSONField(default=dict, blank=True)
    risk_score = models.PositiveSmallIntegerField(null=True, blank=True)
    risk_reasons = models.JSONField(default=list, blank=True)
    decided_by = models.CharField(max_length=150, blank=True, help_text="'system' or a username")
    decided_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The internal rationale (an analyst's own words, or the risk step's explanation): staff only,
    # never in the API or a webhook (tipping-off). What the integrator reads is the reason code
    # (settings.DECISION_REASON_CODES) and the optional integrator-facing text below it.
    decision_reason = models.TextField(blank=True)
    decision_code = models.CharField(max_length=64, blank=True)
    decision_public_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    error_reason = models.TextField(blank=True)
    # An analyst's latest request to the integrator for more information (the case stays
    # in_review); shown in the API and the verification.updated webhook.
    information_requested = models.TextField(blank=True)
    information_requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The analyst working the case (review console); at most one, see verifications.review.
    # No index of its own: the queue reads it only alongside the status index.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # Set when an analyst hands the case to a senior analyst (review console); cleared on decision.
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "business_verifications"
        permissions = [
            ("decide_verification", "Can approve, reject or ask for more information"),
            ("assign_verification", "Can assign a verification to themselves"),
            ("reassign_verification", "Can take over or release another analyst's case"),
            ("rerun_verification", "Can re-run the checks of a verification in error"),
            ("reveal_pii", "Can reveal a merchant's tax id (audited)"),
            ("override_sanctions_match", "Can approve despite a sanctions match"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=VerificationStatus.values),
                name="business_verifications_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(risk_score__isnull=True) | Q(risk_score__lte=100),
                name="business_verifications_risk_0_100",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="idx_business_verifications_status"),
            models.Index(fields=["created_at"], name="idx_business_verifications_created_at"),
            # An integrator's list, newest first (the API's keyset pagination): without it a
            # large tenant's page sorts every one of its rows.
            # Scoped by mode too: a sandbox page never walks the live rows (docs/sandbox.md).
            models.Index(
                fields=["integrator", "livemode", "created_at", "id"],
                name="idx_verifications_tenant_mode",
            ),
            models.Index(
                fields=["status", "created_at"], name="idx_business_verifications_status_created"
            ),
            # The review queue's order (in_review first, then oldest): see REVIEW_QUEUE_ORDER.
            models.Index(IN_REVIEW_FIRST, "created_at", name="idx_business_verifications_queue"),
            # The queue sorted by risk (its column) and the risk-band filter: without it a click
            # on the column sorted every row (1.5 s at 1,000,000, bench_admin).
            models.Index(fields=["risk_score"], name="idx_business_verifications_risk"),
            # Reason-code filter: risk_reasons @> [{"code": ...}].
            GinIndex(
                fields=["risk_reasons"],
                opclasses=["jsonb_path_ops"],
                name="idx_business_verifications_reasons",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


class VerificationEvent(models.Model):
    """Audit row: one status change or decision on a verification, by whom, why and when."""

    verification = models.ForeignKey(
        BusinessVerification, on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.CharField(max_length=150, help_text="'system' or a username")
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "verification_events"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status} by {self.actor}"


class AnalystActionKind(models.TextChoices):
    ASSIGN = "assign", "assigned"
    UNASSIGN = "unassign", "unassigned"
    REVEAL_TAX_ID = "reveal_tax_id", "revealed the tax id"
    CLEAR_HIT = "clear_hit", "cleared a sanctions hit as a false positive"
    ESCALATE = "escalate", "escalated to a senior analyst"


class AnalystAction(models.Model):
    """Audit row of a review-console action that is not a status change: assignment, a PII
    reveal, a sanctions hit cleared as a false positive. Who, what, on which case, when.

    Status changes and decisions (including "request more information") are
    ``VerificationEvent`` rows instead.
    """

    verification = models.ForeignKey(
        BusinessVerification, on_delete=models.CASCADE, related_name="analyst_actions"
    )
    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="analyst_actions"
    )
    action = models.CharField(max_length=32, choices=AnalystActionKind.choices)
    actor = models.CharField(max_length=150, help_text="username at the time")
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "analyst_actions"
        ordering = ["created_at", "id"]
        # The console audit log, newest first; searched by the analyst's username.
        indexes = [
            models.Index(fields=["created_at"], name="idx_analyst_actions_created_at"),
            models.Index(fields=["actor", "created_at"], name="idx_analyst_actions_actor"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=AnalystActionKind.values),
                name="analyst_actions_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class CaseNote(models.Model):
    """An analyst's internal note on a case (and so on its merchant): free text, append-only,
    signed and dated. Staff only: no API resource or webhook ever carries one."""

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="case_notes"
    )
    verification = models.ForeignKey(
        BusinessVerification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notes",
    )
    author = models.CharField(max_length=150, help_text="username at the time")
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "case_notes"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["merchant", "created_at"], name="idx_case_notes_merchant")]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="case_notes_body_not_empty")
        ]

    def __str__(self) -> str:
        return f"note by {self.author} ({self.created_at:%Y-%m-%d %H:%M})"


class JobKind(models.TextChoices):
    VERIFICATION = "verification", "verification"
    WEBHOOK_DELIVERY = "webhook_delivery", "webhook delivery"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "queued"
    RUNNING = "running", "running"
    SUCCEEDED = "succeeded", "succeeded"
    FAILED = "failed", "failed"
    DEAD = "dead", "dead"


class PipelineJob(models.Model):
    """A unit of async work, written in the same transaction as its subject: the outbox that
    makes queued work durable. The sweeper re-enqueues jobs the broker or a worker lost."""

    kind = models.CharField(max_length=32, choices=JobKind.choices)
    subject_id = models.CharField(max_length=64, help_text="id of the verification/delivery")
    queue = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    last_error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "pipeline_jobs"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="pipeline_jobs_status_valid"
            ),
            models.UniqueConstraint(
                fields=["kind", "subject_id"], name="uniq_pipeline_jobs_subject"
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="idx_pipeline_jobs_status"),
            models.Index(fields=["created_at"], name="idx_pipeline_jobs_created_at"),
            # The outbox relay's (and the sweeper's) "never sent" jobs, oldest first: a few rows
            # however many queued jobs wait for workers. Without it each of the relay's ten
            # passes a second read every queued job (4 ms of PostgreSQL CPU each with 7,000
            # waiting, 2 % of the load test's box while idle).
            models.Index(
                fields=["created_at"],
                name="idx_pipeline_jobs_unsent",
                condition=Q(status="queued", enqueued_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.subject_id} ({self.status})"


class RegistryEntity(models.Model):
    """A business register record loaded in bulk (GLEIF golden-copy rows by default): the
    registry check's offline source. Reloaded with ``manage.py registry_load``."""

    lei = models.CharField(max_length=20, unique=True)
    legal_name = models.CharField(max_length=500)
    # Lower-cased, punctuation and legal-form words stripped (verifications.names.normalise).
    name_key = models.CharField(max_length=500)
    country = models.CharField(max_length=2, blank=True)
    category = models.CharField(max_length=32, blank=True)
    sub_category = models.CharField(max_length=64, blank=True)
    entity_status = models.CharField(max_length=16, blank=True, help_text="ACTIVE/INACTIVE")
    registration_status = models.CharField(max_length=32, blank=True, help_text="ISSUED/LAPSED/...")
    source = models.CharField(max_length=200)
    loaded_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "registry entities"
        db_table = "registry_entities"
        indexes = [
            models.Index(fields=["name_key", "country"], name="idx_registry_entities_name"),
            # The admin's name-prefix search (LIKE 'key%' under any collation).
            models.Index(
                fields=["name_key"],
                name="idx_registry_entities_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lei} {self.legal_name}"


class InternalSubmission(models.Model):
    """A verification submitted through the internal Celery task; the idempotency key makes a
    re-sent task return the first verification instead of creating another."""

    integrator = models.ForeignKey(
        "tenancy.Integrator", on_delete=models.PROTECT, related_name="internal_submissions"
    )
    idempotency_key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    verification = models.ForeignKey(
        BusinessVerification, on_delete=models.CASCADE, related_name="internal_submissions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "internal_submissions"
        constraints = [
            models.UniqueConstraint(
                fields=["integrator", "idempotency_key"],
                name="uniq_internal_submissions_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.integrator_id}:{self.idempotency_key}"
