"""Cache-aside read of a business's latest classification (``classification:{business_id}``).

``classifications_store`` bulk-inserts (no model signals), so it calls
``classification_cache_invalidate`` itself; single-row saves and deletes go through signals.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings

from classifications.models import Classification, CodeSystem
from kyb.cache import cache_get_or_fill, invalidate_on_commit

CLASSIFICATION_NAMESPACE = "classification"


def _latest(business_id: uuid.UUID) -> dict[str, Any]:
    latest = (
        Classification.objects.filter(business_id=business_id)
        .order_by("-created_at", "-id")
        .only("verification_id", "created_at", "model_version")
        .first()
    )
    data: dict[str, Any] = {
        "merchant_id": str(business_id),
        "verification_id": None,
        "model_version": None,
        **{system.value: [] for system in CodeSystem},
    }
    if latest is None:
        return data
    rows = Classification.objects.filter(business_id=business_id)
    if latest.verification_id:
        rows = rows.filter(verification_id=latest.verification_id)
    else:
        # bulk_create stamps each row a few microseconds apart: one run is one second's rows.
        rows = rows.filter(
            verification_id__isnull=True, created_at__gt=latest.created_at - timedelta(seconds=1)
        )
    data["verification_id"] = str(latest.verification_id) if latest.verification_id else None
    data["model_version"] = latest.model_version
    for row in rows.order_by("code_system", "-confidence", "rank"):
        data[row.code_system].append(
            {
                "code": row.code,
                "description": row.description,
                "confidence": round(row.confidence, 4),
                "rank": row.rank,
            }
        )
    return data


def classification_latest_data(*, business_id: uuid.UUID) -> dict[str, Any]:
    """Latest codes per system, each list ordered by confidence (highest first)."""
    data = cache_get_or_fill(
        CLASSIFICATION_NAMESPACE,
        business_id,
        ttl=settings.CACHE_TTL_CLASSIFICATION,
        not_found_ttl=settings.CACHE_TTL_NOT_FOUND,
        loader=lambda: _latest(business_id),
    )
    assert isinstance(data, dict)
    return data


def classification_cache_invalidate(*, business_id: uuid.UUID | str) -> None:
    invalidate_on_commit(CLASSIFICATION_NAMESPACE, business_id)
