"""Reads of batches: a batch by tenant, its progress counts, its items."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Case, CharField, Count, F, QuerySet, Value, When
from django.http import Http404

from batches.models import BatchItem, ItemState, VerificationBatch
from kyb.formats import iso_utc

# Every state an item can be in, in lifecycle order: a verification's status, plus ``invalid``
# (refused, never submitted). ``pending`` also covers items whose verification is not created yet.
ITEM_STATUSES = ["pending", "processing", "approved", "in_review", "rejected", "error", "invalid"]

ITEM_STATUS = Case(
    When(state=ItemState.INVALID, then=Value("invalid")),
    When(verification__isnull=True, then=Value("pending")),
    default=F("verification__status"),
    output_field=CharField(),
)


def batch_get(
    *, integrator_id: uuid.UUID, batch_id: uuid.UUID, livemode: bool = True
) -> VerificationBatch:
    """The integrator's batch in this mode, or 404 (another integrator's batch, or one of the
    other mode, does not exist for it)."""
    found = VerificationBatch.objects.filter(
        integrator_id=integrator_id, livemode=livemode, pk=batch_id
    ).first()
    if found is None:
        raise Http404("Batch not found.")
    return found


def batch_counts(*, batch_id: uuid.UUID) -> dict[str, int]:
    """Items by status: one grouped query over the batch's items and their verifications."""
    counts = dict.fromkeys(ITEM_STATUSES, 0)
    rows = (
        BatchItem.objects.filter(batch_id=batch_id)
        .annotate(item_status=ITEM_STATUS)
        .values("item_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["item_status"]] = row["n"]
    return counts


def batch_public_data(
    batch: VerificationBatch, *, counts: dict[str, int] | None = None
) -> dict[str, Any]:
    """The batch as integrators see it (API and the ``batch.completed`` webhook)."""
    return {
        "id": str(batch.id),
        "livemode": batch.livemode,
        "status": "completed" if batch.completed_at else "processing",
        "total": batch.total,
        "decided": batch.decided_count + batch.invalid_count,
        "counts": counts if counts is not None else batch_counts(batch_id=batch.id),
        "created_at": iso_utc(batch.created_at),
        "completed_at": iso_utc(batch.completed_at),
    }


def batch_list(*, integrator_id: uuid.UUID, livemode: bool = True) -> QuerySet[VerificationBatch]:
    """The integrator's batches in this mode (the API pages them newest first on its tenant
    index)."""
    return VerificationBatch.objects.filter(integrator_id=integrator_id, livemode=livemode)


def batch_summary(batch: VerificationBatch) -> dict[str, Any]:
    """A list row: progress from the batch's own counters, no per-status counts (those take a
    query per batch; the detail has them)."""
    data = batch_public_data(batch, counts={})
    del data["counts"]
    return data


def batch_item_rows(*, batch_id: uuid.UUID, status: str | None = None) -> QuerySet[BatchItem]:
    """The batch's items as plain rows, by index; ``status`` filters (see ITEM_STATUSES)."""
    rows = BatchItem.objects.filter(batch_id=batch_id).annotate(item_status=ITEM_STATUS)
    if status:
        rows = rows.filter(item_status=status)
    return rows.order_by("index")


def batch_item_public(row: BatchItem) -> dict[str, Any]:
    return {
        "index": row.index,
        "external_id": row.external_id,
        "merchant_id": str(row.merchant_id) if row.merchant_id else None,
        "verification_id": str(row.verification_id) if row.verification_id else None,
        "status": row.item_status,  # type: ignore[attr-defined]  # annotated
        "error": row.error,
    }
