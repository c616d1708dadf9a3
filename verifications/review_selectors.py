"""Reads of the review console: the queue header and everything one verification page shows.

Every read is a fixed number of indexed queries, whatever the number of checks, hits, events or
classifications (tests pin the counts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone

from classifications.models import Classification
from screening import selectors as screening_selectors
from verifications.models import BusinessVerification, VerificationStatus
from verifications.review import (
    PERM_ASSIGN,
    PERM_CLEAR_HIT,
    PERM_DECIDE,
    PERM_OVERRIDE_SANCTIONS,
    PERM_REASSIGN,
    PERM_REVEAL_PII,
    has_sanctions_match,
    sanctions_hits,
)

CHECK_ORDER = ("identifiers", "registry", "sanctions", "website", "industry")


def risk_band(score: int | None) -> str:
    """``low`` below RISK_REVIEW_THRESHOLD (30), ``high`` from RISK_REJECT_THRESHOLD (70),
    ``medium`` between; ``unscored`` before the risk step ran."""
    if score is None:
        return "unscored"
    if score < settings.RISK_REVIEW_THRESHOLD:
        return "low"
    if score < settings.RISK_REJECT_THRESHOLD:
        return "medium"
    return "high"


def review_queue_stats() -> dict[str, Any]:
    """How many cases wait in review and since when: one aggregate on the status index."""
    stats = BusinessVerification.objects.filter(status=VerificationStatus.IN_REVIEW).aggregate(
        waiting=Count("pk"), oldest=Min("created_at")
    )
    oldest: datetime | None = stats["oldest"]
    return {
        "waiting": stats["waiting"],
        "oldest_at": oldest,
        "oldest_age": timezone.now() - oldest if oldest else None,
    }


@dataclass
class HitRow:
    """A sanctions hit beside the list entry it points at (None if no longer listed)."""

    subject: dict[str, Any]
    hit: dict[str, Any]
    entry: Any
    cleared: bool
    explanation_json: str


@dataclass
class ReviewPage:
    """Everything the verification page renders."""

    verification: BusinessVerification
    checks: list[tuple[str, dict[str, Any], str]]
    hits: list[HitRow]
    registry: dict[str, Any] | None
    website: dict[str, Any] | None
    classifications: list[Classification]
    history: list[dict[str, Any]]
    band: str
    sanctions_match: bool
    can: dict[str, bool] = field(default_factory=dict)
    # (field, value the checks ran on, value now) for merchant fields edited since submission.
    changed_since_submission: list[tuple[str, Any, Any]] = field(default_factory=list)


def merchant_changes(verification: BusinessVerification) -> list[tuple[str, Any, Any]]:
    """The merchant fields whose current value differs from the snapshot the checks ran on
    (``input_snapshot``, frozen at submission): the page shows today's merchant, so the analyst
    must see where that is not what was verified."""
    from verifications.services import merchant_snapshot

    then = verification.input_snapshot or {}
    now = merchant_snapshot(verification.merchant)
    changes: list[tuple[str, Any, Any]] = [
        (name, then[name], now[name])
        for name in now
        if name not in HIDDEN_SNAPSHOT_FIELDS and name in then and then[name] != now[name]
    ]
    if "tax_id_hash" in then and then["tax_id_hash"] != now["tax_id_hash"]:
        changes.append(("tax_id", "(the id checked)", "(another id, or none)"))
    return changes


# Never shown: the id, and the tax id's token and hash (a change is reported without values).
HIDDEN_SNAPSHOT_FIELDS = frozenset({"merchant_id", "tax_id_encrypted", "tax_id_hash"})


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)


def _hit_rows(verification: BusinessVerification) -> list[HitRow]:
    pairs = sanctions_hits(verification)
    if not pairs:
        return []
    keys = [(str(hit.get("list")), str(hit.get("entity_id"))) for _, hit in pairs]
    entries = screening_selectors.watchlist_entries_current(keys=keys)
    cleared = screening_selectors.cleared_hits_for_merchant(merchant_id=verification.merchant_id)
    rows = []
    for (subject, hit), key in zip(pairs, keys, strict=True):
        entry = entries.get(key)
        is_cleared = entry is not None and cleared.get(key) == entry.content_hash
        rows.append(HitRow(subject, hit, entry, is_cleared, _pretty(hit.get("explanation"))))
    return sorted(rows, key=lambda r: -float(r.hit.get("score") or 0))


def _history(verification: BusinessVerification) -> list[dict[str, Any]]:
    rows = [
        {
            "at": e.created_at,
            "actor": e.actor,
            "what": (
                "requested more information"
                if e.from_status == e.to_status == VerificationStatus.IN_REVIEW
                else f"{e.from_status or '∅'} → {e.to_status}"
            ),
            "reason": e.reason,
        }
        for e in verification.events.all()
    ]
    rows += [
        {"at": a.created_at, "actor": a.actor, "what": a.get_action_display(), "reason": a.reason}
        for a in verification.analyst_actions.all()
    ]
    return sorted(rows, key=lambda r: r["at"])


def _permissions(user: Any, verification: BusinessVerification) -> dict[str, bool]:
    in_review = verification.status == VerificationStatus.IN_REVIEW
    holder = verification.assigned_to_id
    free_or_mine = holder in (None, user.pk) or user.has_perm(PERM_REASSIGN)
    return {
        "decide": in_review and free_or_mine and user.has_perm(PERM_DECIDE),
        "assign": in_review and holder != user.pk and user.has_perm(PERM_ASSIGN),
        "unassign": in_review
        and holder is not None
        and free_or_mine
        and user.has_perm(PERM_ASSIGN),
        "clear_hit": in_review and free_or_mine and user.has_perm(PERM_CLEAR_HIT),
        "reveal_pii": user.has_perm(PERM_REVEAL_PII),
        "override_sanctions": user.has_perm(PERM_OVERRIDE_SANCTIONS),
    }


def review_page(*, verification: BusinessVerification, user: Any) -> ReviewPage:
    """The verification page for ``user``. ``verification`` comes with merchant, integrator,
    assigned_to and decided_by_user joined (``BusinessVerificationAdmin.get_queryset``)."""
    checks = verification.checks or {}
    ordered = [n for n in CHECK_ORDER if n in checks] + sorted(set(checks) - set(CHECK_ORDER))
    registry = (checks.get("registry") or {}).get("evidence") or {}
    website = (checks.get("website") or {}).get("evidence") or None
    classifications = list(
        Classification.objects.filter(verification=verification).order_by(
            "code_system", "rank", "-confidence"
        )
    )
    return ReviewPage(
        verification=verification,
        checks=[(n, checks[n], _pretty(checks[n].get("evidence") or {})) for n in ordered],
        hits=_hit_rows(verification),
        registry=registry.get("record"),
        website=website,
        classifications=classifications,
        history=_history(verification),
        band=risk_band(verification.risk_score),
        sanctions_match=has_sanctions_match(verification),
        can=_permissions(user, verification),
        changed_since_submission=merchant_changes(verification),
    )
