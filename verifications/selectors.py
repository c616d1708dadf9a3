"""Reads of the verifications app, scoped to the caller's integrator."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from kyb.cache import cache_get_or_fill
from kyb.errors import NotFound
from kyb.formats import iso_utc
from merchants.models import Integrator
from verifications.models import BusinessVerification
from verifications.services import SYSTEM_ACTOR

VERIFICATION_NAMESPACE = "business:verification"


def verification_data(v: BusinessVerification) -> dict[str, Any]:
    """The API representation as plain JSON data (what the cache stores)."""
    decided = v.decided_at is not None
    return {
        "id": str(v.id),
        "merchant_id": str(v.merchant_id),
        "status": v.status,
        "source": v.source,
        "checks": v.checks,
        "risk": {"score": v.risk_score, "reasons": v.risk_reasons},
        "decision": public_decision(v) if decided else None,
        "error_reason": v.error_reason,
        "information_request": {
            "reason": v.information_requested,
            "requested_at": iso_utc(v.information_requested_at),
        }
        if v.information_requested_at is not None
        else None,
        "created_at": iso_utc(v.created_at),
        "updated_at": iso_utc(v.updated_at),
        "started_at": iso_utc(v.started_at),
        "completed_at": iso_utc(v.completed_at),
        "_integrator_id": str(v.integrator_id),
    }


def public_decision(v: BusinessVerification) -> dict[str, Any]:
    """The decision as the integrator sees it (API and webhooks). Tipping-off: never the
    analyst's name or internal rationale, only ``analyst``/``system``, a reason code from
    settings.DECISION_REASON_CODES and its integrator-facing text."""
    by_analyst = v.decided_by_user_id is not None or (v.decided_by not in ("", SYSTEM_ACTOR))
    if by_analyst:
        code = v.decision_code or "other"
        reason = v.decision_public_reason or settings.DECISION_REASON_CODES.get(code, "")
    else:
        # The risk step's explanation is built from the reason codes the API already shows.
        code, reason = "automatic", v.decision_reason
    return {
        "outcome": v.status,
        "decided_by": "analyst" if by_analyst else SYSTEM_ACTOR,
        "reason_code": code,
        "reason": reason,
        "decided_at": iso_utc(v.decided_at),
    }


def verification_list(
    *,
    integrator: Integrator,
    status: str | None = None,
    merchant_id: uuid.UUID | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> QuerySet[BusinessVerification]:
    qs = BusinessVerification.objects.filter(integrator=integrator)
    if status:
        qs = qs.filter(status=status)
    if merchant_id:
        qs = qs.filter(merchant_id=merchant_id)
    if created_after:
        qs = qs.filter(created_at__gte=created_after)
    if created_before:
        qs = qs.filter(created_at__lt=created_before)
    return qs


def verification_get_data(
    *, integrator: Integrator, verification_id: uuid.UUID, use_cache: bool = True
) -> dict[str, Any]:
    """Cache-aside read of ``business:verification:{id}``; foreign ids are "not found"."""

    def load() -> dict[str, Any] | None:
        v = BusinessVerification.objects.filter(pk=verification_id).first()
        return verification_data(v) if v else None

    if use_cache:
        data = cache_get_or_fill(
            VERIFICATION_NAMESPACE,
            verification_id,
            ttl=settings.CACHE_TTL_VERIFICATION,
            not_found_ttl=settings.CACHE_TTL_NOT_FOUND,
            loader=load,
        )
    else:
        data = load()
    if isinstance(data, dict) and _old_decision_shape(data):
        data = load()  # cached before decisions were made integrator-safe: never serve it
    if not isinstance(data, dict) or data["_integrator_id"] != str(integrator.id):
        raise NotFound("not_found", "Verification not found.")
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _old_decision_shape(data: dict[str, Any]) -> bool:
    """A cache entry written by an older release (``decided_by`` a username, no
    ``reason_code``): for up to CACHE_TTL_VERIFICATION after an upgrade such entries exist."""
    decision = data.get("decision")
    return isinstance(decision, dict) and "reason_code" not in decision


def verification_status(*, verification_id: uuid.UUID) -> str | None:
    return (
        BusinessVerification.objects.filter(pk=verification_id)
        .values_list("status", flat=True)
        .first()
    )
