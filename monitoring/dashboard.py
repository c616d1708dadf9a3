"""Reads behind the admin's operations page (charts): the ``monitoring_metrics`` snapshots for
figures over time, and live aggregates over the last ``DAYS`` days for decisions, time to
decision, the auto-decision rate, hit rate by list and pipeline throughput.

Each chart is plain JSON data ({labels, datasets}) that the page hands to Chart.js (served from
our static files). Every query is bounded by time (an indexed ``created_at``/``timestamp``
range) or by a row cap.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncDay, TruncHour
from django.utils import timezone

from monitoring.models import MonitoringMetric
from verifications.models import BusinessVerification, PipelineJob, VerificationEvent

DAYS = 14
HIT_RATE_SAMPLE = 2000  # latest verifications read for the hit rate by list
DECISIONS = ("approved", "rejected", "in_review")


def _day_labels(days: int = DAYS) -> list[str]:
    today = timezone.now().date()
    return [(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]


def queue_over_time() -> dict[str, Any]:
    """Cases in review and the oldest case's age (hours), per hour, from the snapshots."""
    since = timezone.now() - timedelta(days=DAYS)
    rows = (
        MonitoringMetric.objects.filter(timestamp__gte=since)
        .filter(
            Q(name="verifications_by_status", labels__status="in_review")
            | Q(name="review_oldest_waiting_seconds")
        )
        .annotate(hour=TruncHour("timestamp"))
        .values_list("hour", "name", "value")
        .order_by("hour")
    )
    size: dict[str, float] = {}
    oldest: dict[str, float] = {}
    for hour, name, value in rows:
        key = hour.strftime("%Y-%m-%d %H:00")
        if name == "verifications_by_status":
            size[key] = value  # the hour's last snapshot wins
        else:
            oldest[key] = round(value / 3600, 2)
    labels = sorted(set(size) | set(oldest))
    return {
        "labels": labels,
        "datasets": [
            {"label": "cases in review", "data": [size.get(k) for k in labels]},
            {"label": "oldest case (hours)", "data": [oldest.get(k) for k in labels], "y2": True},
        ],
    }


def decisions_per_day() -> dict[str, Any]:
    """Decisions per day by outcome (the automatic ones and the analysts')."""
    since = timezone.now() - timedelta(days=DAYS)
    rows = (
        VerificationEvent.objects.filter(created_at__gte=since, to_status__in=DECISIONS)
        .exclude(from_status="in_review", to_status="in_review")  # requests for information
        .annotate(day=TruncDay("created_at"))
        .values_list("day", "to_status")
        .annotate(n=Count("id"))
    )
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for day, status, n in rows:
        counts[status][day.date().isoformat()] += n
    labels = _day_labels()
    return {
        "labels": labels,
        "datasets": [
            {"label": status.replace("_", " "), "data": [counts[status][d] for d in labels]}
            for status in DECISIONS
        ],
    }


def decisions_by_analyst() -> dict[str, Any]:
    """Analysts' decisions (approve/reject) over the period, per analyst and outcome."""
    since = timezone.now() - timedelta(days=DAYS)
    rows = (
        VerificationEvent.objects.filter(
            created_at__gte=since,
            from_status="in_review",
            to_status__in=("approved", "rejected"),
        )
        .values_list("actor", "to_status")
        .annotate(n=Count("id"))
    )
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for actor, status, n in rows:
        counts[status][actor] += n
    labels = sorted({actor for c in counts.values() for actor in c})
    return {
        "labels": labels,
        "datasets": [
            {"label": s, "data": [counts[s][a] for a in labels]} for s in ("approved", "rejected")
        ],
    }


# A case sent to review is stamped decided (by "system", at that moment) until an analyst
# decides it: the timing counts final decisions only, and the automatic share counts a case in
# review against the system (86 % "automatic" was shown where 55 % were).
TIME_TO_DECISION_SQL = """
    SELECT date_trunc('day', decided_at) AS day,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - created_at))
               FILTER (WHERE status IN ('approved', 'rejected')),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - created_at))
               FILTER (WHERE status IN ('approved', 'rejected')),
           count(*) FILTER (WHERE decided_by = 'system' AND status IN ('approved', 'rejected')),
           count(*)
    FROM business_verifications
    WHERE decided_at >= %s AND created_at >= %s
    GROUP BY 1 ORDER BY 1
"""


def time_to_decision() -> tuple[dict[str, Any], dict[str, Any]]:
    """Per day: p50 and p90 of submission-to-decision (minutes; approved or rejected), and the
    share decided automatically (%: approved or rejected by the system, of every verification
    that reached a decision or review). The created_at bound lets PostgreSQL use its index."""
    since = timezone.now() - timedelta(days=DAYS)
    with connection.cursor() as cursor:
        cursor.execute(TIME_TO_DECISION_SQL, [since, since - timedelta(days=30)])
        rows = cursor.fetchall()
    by_day = {day.date().isoformat(): row for day, *row in rows}
    labels = _day_labels()

    def minutes(day: str, i: int) -> float | None:
        value = by_day[day][i] if day in by_day else None
        return None if value is None else round(value / 60, 1)

    def auto_rate(day: str) -> float | None:
        if day not in by_day or not by_day[day][3]:
            return None
        return round(100 * float(by_day[day][2]) / float(by_day[day][3]), 1)

    timing = {
        "labels": labels,
        "datasets": [
            {"label": "p50 (minutes)", "data": [minutes(d, 0) for d in labels]},
            {"label": "p90 (minutes)", "data": [minutes(d, 1) for d in labels]},
        ],
    }
    rate = {
        "labels": labels,
        "datasets": [
            {"label": "decided automatically (%)", "data": [auto_rate(d) for d in labels]}
        ],
    }
    return timing, rate


def hit_rate_by_list() -> dict[str, Any]:
    """Of the latest ``HIT_RATE_SAMPLE`` screened verifications, the share (%) with at least one
    match on each list."""
    checks = (
        BusinessVerification.objects.order_by("-created_at")
        .filter(checks__has_key="sanctions")
        .values_list("checks__sanctions__evidence__screened", flat=True)[:HIT_RATE_SAMPLE]
    )
    screened = 0
    with_hit: Counter[str] = Counter()
    for subjects in checks:
        screened += 1
        lists = {
            str(hit.get("list"))
            for subject in subjects or []
            for hit in subject.get("hits") or []
            if hit.get("match")
        }
        with_hit.update(lists)
    labels = sorted(with_hit)
    return {
        "labels": labels,
        "datasets": [
            {
                "label": f"verifications with a match (% of the last {screened})",
                "data": [round(100 * with_hit[k] / screened, 2) if screened else 0 for k in labels],
            }
        ],
    }


def pipeline_per_day() -> dict[str, Any]:
    """Pipeline jobs created per day by their status now: throughput and errors."""
    since = timezone.now() - timedelta(days=DAYS)
    rows = (
        PipelineJob.objects.filter(created_at__gte=since)
        .annotate(day=TruncDay("created_at"))
        .values_list("day", "status")
        .annotate(n=Count("id"))
    )
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for day, status, n in rows:
        counts[status][day.date().isoformat()] += n
    labels = _day_labels()
    statuses = ("succeeded", "failed", "dead", "queued", "running")
    return {
        "labels": labels,
        "datasets": [{"label": s, "data": [counts[s][d] for d in labels]} for s in statuses],
    }


def operations_charts() -> list[dict[str, Any]]:
    """Every chart of the operations page: id, title, kind (Chart.js type) and data."""
    timing, auto = time_to_decision()
    charts: list[dict[str, Any]] = [
        {
            "id": "queue",
            "title": "Review queue: size and oldest case",
            "kind": "line",
            "data": queue_over_time(),
        },
        {
            "id": "decisions",
            "title": f"Decisions per day (last {DAYS} days)",
            "kind": "bar",
            "stacked": True,
            "data": decisions_per_day(),
        },
        {
            "id": "analysts",
            "title": f"Analysts' decisions (last {DAYS} days)",
            "kind": "bar",
            "stacked": True,
            "data": decisions_by_analyst(),
        },
        {"id": "timing", "title": "Time to decision (p50, p90)", "kind": "line", "data": timing},
        {"id": "auto", "title": "Auto-decision rate", "kind": "line", "data": auto},
        {
            "id": "hits",
            "title": "Sanctions hit rate by list",
            "kind": "bar",
            "data": hit_rate_by_list(),
        },
        {
            "id": "pipeline",
            "title": "Pipeline jobs per day (throughput and errors)",
            "kind": "bar",
            "stacked": True,
            "data": pipeline_per_day(),
        },
    ]
    for chart in charts:  # the same numbers as a table, for screen readers and copying
        data = chart["data"]
        chart["rows"] = [
            [label, *(ds["data"][i] for ds in data["datasets"])]
            for i, label in enumerate(data["labels"])
        ]
    return charts
