"""Ongoing monitoring: when a sanctions list changes, re-screen the merchants already onboarded.

The screening app announces each list change (``screening.events``); this module subscribes.
Only the change's added and changed entries are screened (a small index of them), against the
legal name, the DBA and every person of each monitored merchant: those whose latest verification
is approved or in review, of an active integrator. Pending and running verifications screen
against the new list anyway; rejected merchants are not monitored.

Each merchant with a new match gets a review case (hits its open case already holds are not
new: see ``_not_under_review``): a verification with source ``monitoring``,
straight ``in_review``, whose sanctions check carries the hits and the list change that caused
them; on commit it sends ``verification.created`` and ``merchant.screening_alert`` webhooks
(the event outbox). A hit an analyst cleared stays cleared while the entry's content hash is the
one cleared; a changed entry is raised again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from kyb.cache import invalidate_on_commit
from merchants.models import Merchant
from merchants.selectors import MERCHANT_NAMESPACE
from screening import selectors as screening_selectors
from screening import services as screening
from screening.hits import ScreeningHit
from screening.matching.index import ScreeningIndex
from screening.models import WatchListChange
from verifications.checks.base import CheckResult, CheckStatus
from verifications.checks.sanctions import SOURCE, _subjects
from verifications.effects import verification_changed
from verifications.models import (
    BusinessVerification,
    VerificationEvent,
    VerificationSource,
    VerificationStatus,
)
from verifications.review import sanctions_hits
from verifications.risk import assess
from verifications.services import merchant_snapshot

logger = logging.getLogger(__name__)

ACTOR = "monitoring"
ALERT_EVENT = "merchant.screening_alert"
MONITORED = (VerificationStatus.APPROVED, VerificationStatus.IN_REVIEW)
# Hits kept per screened name: enough that cleared ones cannot push a match out.
_LIMIT = 50
_FIELDS = ("id", "legal_name", "dba_name", "country", "lei", "registration_number", "people")


@dataclass(frozen=True, slots=True)
class _Monitored:
    id: uuid.UUID
    snapshot: dict[str, Any]


def monitored_merchants(chunk: int = 5000) -> Iterator[_Monitored]:
    """The merchants ongoing monitoring watches, streamed (only the screened fields). Sandbox
    merchants are screened against the sandbox's recorded list only: a change of a live list is
    nothing to them (docs/sandbox.md)."""
    rows = (
        Merchant.objects.filter(
            Q(verification__status__in=MONITORED), integrator__is_active=True, livemode=True
        )
        .order_by()
        .values_list(*_FIELDS)
        .iterator(chunk_size=chunk)
    )
    for row in rows:
        data = dict(zip(_FIELDS, row, strict=True))
        yield _Monitored(data["id"], {**data, "merchant_id": str(data["id"])})


# (name, type, country, identifiers) -> every hit on the change's index, before cleared hits are
# taken out: the same query against the same index gives the same hits, and names repeat across
# merchants (common person names, a group's companies). Bounded; one per re-screen run.
_QueryCache = dict[tuple[str, str, str, tuple[str, ...]], list[ScreeningHit]]
_CACHE_MAX = 500_000


def merchant_rescreen_hits(
    snapshot: Mapping[str, Any],
    *,
    index: ScreeningIndex,
    cleared: Mapping[tuple[str, str], str],
    cache: _QueryCache | None = None,
) -> list[dict[str, Any]]:
    """The subjects of one merchant that match an entry of ``index``, with their matching hits
    (hits the merchant's analysts cleared on an unchanged entry left out)."""
    identifiers = tuple(str(snapshot[k]) for k in ("lei", "registration_number") if snapshot.get(k))
    cache = {} if cache is None else cache
    screened = []
    for subject in _subjects(snapshot):
        key = (
            subject["name"],
            subject["type"],
            subject.get("country") or snapshot.get("country") or "",
            identifiers if subject["type"] == "organization" else (),
        )
        hits = cache.get(key)
        if hits is None:
            hits = screening.screen_name(
                name=key[0],
                entity_type=key[1],
                country=key[2] or None,
                identifiers=key[3],
                index=index,
                cleared={},
                limit=_LIMIT,
                matches_only=True,
            )
            if len(cache) >= _CACHE_MAX:
                cache.clear()
            cache[key] = hits
        matched = [
            h.as_dict()
            for h in hits
            if h.match and cleared.get((h.list, h.entity_id)) != h.content_hash
        ]
        if matched:
            screened.append({**subject, "hits": matched})
    return screened


def merchants_rescreen(change: WatchListChange) -> int:
    """Receiver of ``screening.events``: re-screen monitored merchants against ``change``'s
    added and changed entries; open a review case per merchant with a new match. Runs inside
    the transaction that marks the change done. Returns the number of cases opened."""
    index = screening.watchlist_change_index(change=change)
    if index is None:
        return 0
    cleared = screening_selectors.cleared_hits_for_entities(
        list_source=change.source, entity_ids=[*change.added, *change.changed]
    )
    alerts = 0
    changed = frozenset(change.changed)
    cache: _QueryCache = {}
    for merchant in monitored_merchants():
        screened = merchant_rescreen_hits(
            merchant.snapshot, index=index, cleared=cleared.get(merchant.id, {}), cache=cache
        )
        if screened:
            screened = _not_under_review(merchant.id, screened, changed=changed)
        if screened:
            monitoring_case_open(merchant_id=merchant.id, screened=screened, change=change)
            alerts += 1
    return alerts


def _not_under_review(
    merchant_id: uuid.UUID, screened: list[dict[str, Any]], *, changed: frozenset[str]
) -> list[dict[str, Any]]:
    """``screened`` without the hits on unchanged entries that the merchant's open case (its
    latest verification, in review) already holds: an analyst is deciding on them. A list's
    first load opened a second case on the entries a merchant was in review for (and a third
    with the next list), each moving the merchant's latest verification on and leaving the
    earlier case behind. A changed entry is raised again, as after a clearance."""
    current = (
        Merchant.objects.filter(pk=merchant_id)
        .values_list("verification__status", "verification__checks")
        .first()
    )
    if current is None or current[0] != VerificationStatus.IN_REVIEW:
        return screened
    open_hits = {
        (str(hit.get("list")), str(hit.get("entity_id"))) for _, hit in sanctions_hits(current[1])
    }
    kept = []
    for subject in screened:
        hits = [
            h
            for h in subject["hits"]
            if h["entity_id"] in changed or (h["list"], h["entity_id"]) not in open_hits
        ]
        if hits:
            kept.append({**subject, "hits": hits})
    return kept


def monitoring_case_open(
    *, merchant_id: uuid.UUID, screened: list[dict[str, Any]], change: WatchListChange
) -> BusinessVerification:
    """Open a review case for a merchant a list change matched (caller's transaction)."""
    merchant = Merchant.objects.select_for_update().get(pk=merchant_id)
    matches = sum(len(s["hits"]) for s in screened)
    summary = change.summary()
    result = CheckResult(
        CheckStatus.FAILURE,
        f"{matches} sanctions match(es) after a change of the {change.source} list",
        SOURCE,
        {"screened": screened, "list_change": summary, "lists": [f"{change.source}:{change.name}"]},
        reasons=["sanctions_match"],
    )
    # Scored like a pipeline run of this one check: a sanctions match always needs an analyst.
    assessment = assess({"sanctions": result})
    now = timezone.now()
    reason = (
        f"ongoing monitoring: {change.source} v{change.from_version}->v{change.to_version} "
        f"matched {matches} time(s)"
    )
    verification = BusinessVerification.objects.create(
        merchant=merchant,
        integrator_id=merchant.integrator_id,
        livemode=merchant.livemode,
        source=VerificationSource.MONITORING,
        status=VerificationStatus.IN_REVIEW,
        input_snapshot={**merchant_snapshot(merchant), "list_change": summary},
        checks={"sanctions": result.as_dict()},
        risk_score=assessment.score,
        risk_reasons=assessment.reasons,
        decided_by=ACTOR,
        decision_reason=reason,
        decided_at=now,
        started_at=now,
    )
    VerificationEvent.objects.create(
        verification=verification,
        to_status=VerificationStatus.IN_REVIEW,
        actor=ACTOR,
        reason=reason,
    )
    Merchant.objects.filter(pk=merchant.pk).update(verification=verification)
    invalidate_on_commit(MERCHANT_NAMESPACE, merchant.pk)  # .update() sends no signal
    verification_changed(verification, event_type="verification.created")
    verification_changed(verification, event_type=ALERT_EVENT)
    logger.info(
        "monitoring case opened",
        extra={"merchant_id": str(merchant.pk), "change_id": change.pk, "matches": matches},
    )
    return verification
