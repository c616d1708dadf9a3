"""Prometheus metrics of the verification pipeline."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

CHECK_SECONDS = Histogram(
    "kyb_verification_check_seconds",
    "Time one check took, by check and status.",
    ["check", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RUN_SECONDS = Histogram(
    "kyb_verification_run_seconds",
    "Time from claim to decision of one verification run.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
DECISION_SECONDS = Histogram(
    "kyb_verification_decision_seconds",
    "Time from submission (the verification row's created_at) to the pipeline's decision, "
    "queueing included: what an integrator waits.",
    ["outcome"],
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)
DECISIONS = Counter(
    "kyb_verification_decisions_total", "Verifications decided by the pipeline.", ["outcome"]
)
JOBS_RELAYED = Counter(
    "kyb_pipeline_jobs_relayed_total",
    "New verification jobs the outbox relay sent to the broker (PIPELINE_PUBLISH=relay).",
)
JOBS_SWEPT = Counter(
    "kyb_pipeline_jobs_swept_total",
    "Jobs the sweeper acted on: requeued (never picked up), revived (worker died), dead.",
    ["action"],
)
