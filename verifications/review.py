"""Writes of the review console: assign, decide, ask for more information, reveal a tax id,
clear a sanctions hit, re-run checks. Each checks the acting user's permission and writes its
audit row in the same transaction as the change; webhooks leave on commit (verification_changed).

Decisions and "request more information" are ``VerificationEvent`` rows (the latter with
``from_status == to_status == in_review``); everything else is an ``AnalystAction`` row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kyb.crypto import decrypt
from kyb.events import Event
from merchants.models import MerchantChange
from screening.models import ClearedHit
from screening.services import ScreeningError, screening_hit_clear
from verifications.effects import verification_changed
from verifications.models import (
    AnalystAction,
    AnalystActionKind,
    BusinessVerification,
    CaseNote,
    VerificationEvent,
    VerificationStatus,
)
from verifications.services import IllegalTransition, verification_transition

PERM_DECIDE = "verifications.decide_verification"
PERM_ASSIGN = "verifications.assign_verification"
PERM_REASSIGN = "verifications.reassign_verification"
PERM_RERUN = "verifications.rerun_verification"
PERM_REVEAL_PII = "verifications.reveal_pii"
PERM_OVERRIDE_SANCTIONS = "verifications.override_sanctions_match"
PERM_CLEAR_HIT = "screening.add_clearedhit"
PERM_NOTE = "verifications.add_casenote"
SANCTIONS_MATCH = "sanctions_match"
OUTCOMES = frozenset({VerificationStatus.APPROVED, VerificationStatus.REJECTED})

VerificationId = uuid.UUID | str


class ReviewRefused(PermissionDenied):
    """The console refuses this action (missing permission, someone else's case, wrong state).
    Nothing was written. Uncaught it is a 403."""


def _require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise ReviewRefused(f"you lack the permission {perm}")


def _reason(reason: str) -> str:
    cleaned = reason.strip()
    if not cleaned:
        raise ReviewRefused("a reason is required")
    return cleaned


def _locked_in_review(verification_id: VerificationId) -> BusinessVerification:
    verification = (
        BusinessVerification.objects.select_for_update(of=("self",))
        .select_related("assigned_to")
        .get(pk=verification_id)
    )
    if verification.status != VerificationStatus.IN_REVIEW:
        raise ReviewRefused(f"the verification is {verification.status}, not in review")
    return verification


def _refuse_if_held_by_another(verification: BusinessVerification, user: Any) -> None:
    holder = verification.assigned_to
    if holder is not None and holder.pk != user.pk and not user.has_perm(PERM_REASSIGN):
        raise ReviewRefused(f"assigned to {holder.get_username()}; ask them or a senior analyst")


def _refuse_if_escalated(verification: BusinessVerification, user: Any) -> None:
    """An escalated case is the senior analysts' (those who may reassign): an analyst could
    still take, decide and hit-clear it after escalating it, which made escalation a label."""
    if verification.escalated_at is not None and not user.has_perm(PERM_REASSIGN):
        raise ReviewRefused("the case is escalated: a senior analyst takes it from here")


def _audit(
    verification: BusinessVerification,
    user: Any,
    action: str,
    *,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AnalystAction:
    return AnalystAction.objects.create(
        verification=verification,
        merchant_id=verification.merchant_id,
        action=action,
        actor=user.get_username(),
        actor_user=user,
        reason=reason,
        detail=detail or {},
    )


@transaction.atomic
def verification_assign(*, verification_id: VerificationId, user: Any) -> BusinessVerification:
    """Make ``user`` the analyst working this case. A case another analyst holds is refused,
    unless the user may reassign (senior analysts)."""
    _require(user, PERM_ASSIGN)
    verification = _locked_in_review(verification_id)
    _refuse_if_escalated(verification, user)
    if verification.assigned_to_id == user.pk:
        return verification
    _refuse_if_held_by_another(verification, user)
    previous = verification.assigned_to
    verification.assigned_to = user
    verification.assigned_at = timezone.now()
    verification.save(update_fields=["assigned_to", "assigned_at", "updated_at"])
    detail = {"previous": previous.get_username()} if previous else {}
    _audit(verification, user, AnalystActionKind.ASSIGN, detail=detail)
    return verification


@transaction.atomic
def verification_unassign(*, verification_id: VerificationId, user: Any) -> BusinessVerification:
    """Release the case. Only its holder, or a user who may reassign, can release it."""
    _require(user, PERM_ASSIGN)
    verification = _locked_in_review(verification_id)
    holder = verification.assigned_to
    if holder is None:
        return verification
    _refuse_if_held_by_another(verification, user)
    verification.assigned_to = None
    verification.assigned_at = None
    verification.save(update_fields=["assigned_to", "assigned_at", "updated_at"])
    _audit(
        verification, user, AnalystActionKind.UNASSIGN, detail={"previous": holder.get_username()}
    )
    return verification


def has_sanctions_match(verification: BusinessVerification) -> bool:
    """Whether the run's risk reasons include a sanctions match."""
    return any(r.get("code") == SANCTIONS_MATCH for r in verification.risk_reasons or [])


@transaction.atomic
def verification_decide(
    *,
    verification_id: VerificationId,
    user: Any,
    outcome: str,
    reason: str,
    reason_code: str = "other",
    public_reason: str = "",
) -> BusinessVerification:
    """Approve or reject a case in review. ``reason`` is the internal rationale (staff only);
    ``reason_code`` (settings.DECISION_REASON_CODES) and the optional ``public_reason`` are
    what the integrator reads. Approving despite a sanctions match needs
    ``override_sanctions_match``. The audit row and the webhook come from
    ``verification_transition`` (same transaction; delivery on commit)."""
    _require(user, PERM_DECIDE)
    reason = _reason(reason)
    if outcome not in OUTCOMES:
        raise ReviewRefused(f"unknown decision {outcome!r}")
    if reason_code not in settings.DECISION_REASON_CODES:
        raise ReviewRefused(f"unknown reason code {reason_code!r}")
    verification = _locked_in_review(verification_id)
    _refuse_if_held_by_another(verification, user)
    _refuse_if_escalated(verification, user)
    if (
        outcome == VerificationStatus.APPROVED
        and has_sanctions_match(verification)
        and not user.has_perm(PERM_OVERRIDE_SANCTIONS)
    ):
        raise ReviewRefused("approving despite a sanctions match needs a senior analyst")
    return verification_transition(
        verification_id=verification.pk,
        to_status=outcome,
        actor=user.get_username(),
        actor_user_id=user.pk,
        reason=reason,
        fields={
            "decision_code": reason_code,
            "decision_public_reason": public_reason.strip(),
            "escalated_at": None,
            # The decision answers an open request for information: it stayed on the API's
            # verification, and counted as waiting on the merchant, after the case was decided.
            "information_requested": "",
            "information_requested_at": None,
        },
    )


@transaction.atomic
def verification_escalate(
    *, verification_id: VerificationId, user: Any, reason: str
) -> BusinessVerification:
    """Hand a case to the senior analysts: marked escalated (the queue's "escalated" view),
    released by its holder so a senior can take it, and audited with the analyst's reason."""
    _require(user, PERM_DECIDE)
    reason = _reason(reason)
    verification = _locked_in_review(verification_id)
    _refuse_if_held_by_another(verification, user)
    if verification.escalated_at is not None:
        raise ReviewRefused("the case is already escalated")
    previous = verification.assigned_to
    verification.escalated_at = timezone.now()
    verification.assigned_to = None
    verification.assigned_at = None
    verification.save(update_fields=["escalated_at", "assigned_to", "assigned_at", "updated_at"])
    detail = {"previous": previous.get_username()} if previous else {}
    _audit(verification, user, AnalystActionKind.ESCALATE, reason=reason, detail=detail)
    return verification


@transaction.atomic
def case_note_add(*, verification_id: VerificationId, user: Any, body: str) -> CaseNote:
    """An internal note on the case and its merchant. Any analyst who may view the case may
    write one, in any state; notes are append-only and never leave the console."""
    _require(user, PERM_NOTE)
    text = body.strip()
    if not text:
        raise ReviewRefused("a note cannot be empty")
    verification = BusinessVerification.objects.get(pk=verification_id)
    return CaseNote.objects.create(
        merchant_id=verification.merchant_id,
        verification=verification,
        author=user.get_username(),
        author_user=user,
        body=text,
    )


@transaction.atomic
def verification_request_information(
    *, verification_id: VerificationId, user: Any, reason: str
) -> VerificationEvent:
    """Ask the integrator for more information. Not a state: the case stays ``in_review``,
    marked in the queue ("waiting on merchant") with its age; the request is a
    ``VerificationEvent`` in_review -> in_review carrying the message, the verification's
    ``information_request`` (API and webhook) shows it - it is written for the integrator -
    and a ``verification.information_requested`` webhook leaves on commit."""
    _require(user, PERM_DECIDE)
    reason = _reason(reason)
    verification = _locked_in_review(verification_id)
    _refuse_if_held_by_another(verification, user)
    _refuse_if_escalated(verification, user)
    verification.information_requested = reason
    verification.information_requested_at = timezone.now()
    verification.save(
        update_fields=["information_requested", "information_requested_at", "updated_at"]
    )
    event = VerificationEvent.objects.create(
        verification=verification,
        from_status=VerificationStatus.IN_REVIEW,
        to_status=VerificationStatus.IN_REVIEW,
        actor=user.get_username(),
        actor_user=user,
        reason=reason,
    )
    verification_changed(verification, event_type="verification.information_requested")
    return event


def information_request_answered(event: Event) -> None:
    """``merchant.updated`` subscriber (``kyb.events``): an update from the integrator (the API,
    not an operator in the console) answers an open request for information on the merchant's
    cases in review. The request is closed (the queue's "waiting on merchant" mark and the API's
    ``information_request`` go), an in_review -> in_review ``VerificationEvent`` says who changed
    which fields, and ``verification.updated`` leaves on commit. The analyst then reads the
    changes on the case and decides, or asks again."""
    change = event.subject
    if event.type != "merchant.updated" or not isinstance(change, MerchantChange):
        return
    if change.actor.startswith("user:"):
        return  # an operator's edit in the console is not the merchant's answer
    with transaction.atomic(savepoint=False):  # joins merchant_update's transaction
        waiting = BusinessVerification.objects.select_for_update().filter(
            merchant_id=change.merchant_id,
            status=VerificationStatus.IN_REVIEW,
            information_requested_at__isnull=False,
        )
        for verification in waiting:
            verification.information_requested = ""
            verification.information_requested_at = None
            verification.save(
                update_fields=["information_requested", "information_requested_at", "updated_at"]
            )
            VerificationEvent.objects.create(
                verification=verification,
                from_status=VerificationStatus.IN_REVIEW,
                to_status=VerificationStatus.IN_REVIEW,
                actor=change.actor,
                reason="Request for information answered: the merchant was updated ("
                + ", ".join(change.fields)
                + ").",
            )
            verification_changed(verification, event_type="verification.updated")


@transaction.atomic
def merchant_tax_id_reveal(*, verification_id: VerificationId, user: Any) -> str:
    """Decrypt the merchant's tax id for ``user`` (``reveal_pii``); every reveal is audited."""
    _require(user, PERM_REVEAL_PII)
    verification = BusinessVerification.objects.select_related("merchant").get(pk=verification_id)
    token = verification.merchant.tax_id_encrypted
    if not token:
        raise ReviewRefused("the merchant has no tax id on file")
    try:
        plaintext = decrypt(token)
    except ValueError as exc:
        raise ReviewRefused("the tax id cannot be decrypted with the current key") from exc
    _audit(
        verification,
        user,
        AnalystActionKind.REVEAL_TAX_ID,
        detail={"field": "tax_id", "last4": verification.merchant.tax_id_last4},
    )
    return plaintext


def sanctions_hits(
    verification: BusinessVerification | dict[str, Any] | None,
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(screened subject, hit) pairs from the sanctions check's evidence of ``verification``
    (or of its ``checks`` as stored)."""
    checks = verification.checks if isinstance(verification, BusinessVerification) else verification
    evidence = ((checks or {}).get("sanctions") or {}).get("evidence") or {}
    return [
        (subject, hit)
        for subject in evidence.get("screened") or []
        for hit in subject.get("hits") or []
    ]


@transaction.atomic
def verification_hit_clear(
    *,
    verification_id: VerificationId,
    user: Any,
    list_source: str,
    entity_id: str,
    reason: str,
) -> ClearedHit:
    """Mark a sanctions hit of this case a false positive: remembered for the merchant (not
    raised again unless the list entry changes; ``screening_hit_clear``) and audited."""
    _require(user, PERM_CLEAR_HIT)
    reason = _reason(reason)
    verification = _locked_in_review(verification_id)
    _refuse_if_held_by_another(verification, user)
    _refuse_if_escalated(verification, user)
    raised = {(hit.get("list"), hit.get("entity_id")) for _, hit in sanctions_hits(verification)}
    if (list_source, entity_id) not in raised:
        raise ReviewRefused(f"{list_source}:{entity_id} is not a hit of this verification")
    try:
        cleared = screening_hit_clear(
            merchant_id=verification.merchant_id,
            list_source=list_source,
            entity_id=entity_id,
            cleared_by=user,
            reason=reason,
        )
    except ScreeningError as exc:
        raise ReviewRefused(str(exc)) from exc
    _audit(
        verification,
        user,
        AnalystActionKind.CLEAR_HIT,
        reason=reason,
        detail={
            "list": list_source,
            "entity_id": entity_id,
            "content_hash": cleared.content_hash,
        },
    )
    return cleared


def verifications_rerun(*, verification_ids: Iterable[VerificationId], user: Any) -> int:
    """Re-run the checks of the given verifications that are in ``error`` (the one bulk action
    that is safe: it decides nothing). Others are skipped. Returns how many were re-queued."""
    from verifications.pipeline.run import verification_retry

    _require(user, PERM_RERUN)
    ids = BusinessVerification.objects.filter(
        pk__in=list(verification_ids), status=VerificationStatus.ERROR
    ).values_list("pk", flat=True)
    done = 0
    for verification_id in ids:
        try:
            verification_retry(
                verification_id=verification_id,
                actor=user.get_username(),
                actor_user_id=user.pk,
                reason="checks re-run from the review console",
            )
        except IllegalTransition:
            continue  # left error meanwhile (another analyst re-ran it)
        done += 1
    return done
