"""Ongoing monitoring: when a sanctions list changes, re-screen the merchants already onboarded.

The screening app announces each list change (``screening.events``); this module subscribes.
Only the change's added and changed entries are screened (a small index of them), against the
legal name, the DBA and every person of each monitored merchant: those whose latest verification
is approved or in review, of an active integrator. Pending and running verifications screen
against the new list anyway; rejected merchants are not monitored.

Each merchant with a new match gets a review case: a verification with source ``monitoring``,
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
from verifications.services import merchant_snapshot

logger = logging.getLogger(__name__)

ACTOR = "monitoring"
ALERT_EVENT = "merchant.screening_alert"
MONITORED = (VerificationStatus.APPROVED, VerificationStatus.IN_REVIEW)
_FIELDS = ("id", "legal_name", "dba_name", "country", "lei", "registration_number", "people")


@dataclass(frozen=True, slots=True)
class _Monitored:
    id: uuid.UUID
    snapshot: dict[str, Any]


def monitored_merchants(chunk: int = 5000) -> Iterator[_Monitored]:
    """The merchants ongoing monitoring watches, streamed (only the screened fields)."""
    rows = (
        Merchant.objects.filter(
            Q(verification__status__in=MONITORED), integrator__is_active=True
        )
        .order_by()
        .values_list(*_FIELDS)
        .iterator(chunk_size=chunk)
    )
    for row in rows:
        data = dict(zip(_FIELDS, row, strict=True))
        yield _Monitored(data["id"], {**data, "merchant_id": str(data["id"])})


def merchant_rescreen_hits(
    snapshot: Mapping[str, Any],
    *,
    index: ScreeningIndex,
    cleared: Mapping[tuple[str, str], str],
) -> list[dict[str, Any]]:
    """The subjects of one merchant that match an entry of ``index``, with their hits."""
    identifiers = [str(snapshot[k]) for k in ("lei", "registration_number") if snapshot.get(k)]
    screened = []
    for subject in _subjects(snapshot):
        hits = screening.screen_name(
            name=subject["name"],
            entity_type=subject["type"],
            country=subject.get("country") or snapshot.get("country") or None,
            identifiers=identifiers if subject["type"] == "organization" else (),
            index=index,
            cleared=cleared,
        )
        matched = [h.as_dict() for h in hits if h.match]
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
    for merchant in monitored_merchants():
        screened = merchant_rescreen_hits(
            merchant.snapshot, index=index, cleared=cleared.get(merchant.id, {})
        )
        if screened:
            monitoring_case_open(merchant_id=merchant.id, screened=screened, change=change)
            alerts += 1
    return alerts


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
    now = timezone.now()
    reason = (
        f"ongoing monitoring: {change.source} v{change.from_version}->v{change.to_version} "
        f"matched {matches} time(s)"
    )
    verification = BusinessVerification.objects.create(
        merchant=merchant,
        integrator_id=merchant.integrator_id,
        source=VerificationSource.MONITORING,
        status=VerificationStatus.IN_REVIEW,
        input_snapshot={**merchant_snapshot(merchant), "list_change": summary},
        checks={"sanctions": result.as_dict()},
        risk_reasons=["sanctions_match"],
        decided_by=ACTOR,
        decision_reason=reason,
        decided_at=now,
        started_at=now,
    )
    VerificationEvent.objects.create(
        verification=verification, to_status=VerificationStatus.IN_REVIEW, actor=ACTOR, reason=reason
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
