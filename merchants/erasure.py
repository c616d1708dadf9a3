"""Erasure of a merchant's personal data on the integrator's request (GDPR art. 17), and the purge
of what is kept once its retention period is over.

``merchant_erase`` scrubs, in one transaction, every copy of the personal data we hold: the
merchant row (people, tax id, contact details, free text), then each registered *eraser*: the
apps that copied it (verifications: input snapshots, check evidence, analyst notes) register one
at ``ready()``, so this module imports none of them; apps that only listen (webhooks: stored
event bodies) cut their copies when ``merchant.erased`` is published with the ids to redact
(``kyb.events``). Stored
idempotent responses that carried the merchant are deleted. What stays is the skeleton audit and
regulators need: identity of the business (legal name, registration number, LEI, country,
external id), decisions, reason codes, list versions and timestamps, until
``ERASURE_RETENTION_DAYS`` after the erasure; ``merchant_erasures_purge`` then deletes it. The
erasure is audited (``MerchantErasure``) and announced (``merchant.erased``) in the same
transaction; caches are invalidated on commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from kyb import events
from kyb.cache import invalidate_on_commit
from kyb.errors import Conflict
from kyb.formats import iso_utc
from kyb.models import IdempotencyRecord
from merchants.models import Merchant, MerchantErasure
from merchants.selectors import MERCHANT_NAMESPACE

logger = logging.getLogger(__name__)

ERASED = "[erased]"
MERCHANT_ERASED_MESSAGE = (
    "This merchant's personal data was erased; submit it as a new merchant, with a new external_id."
)
# Personal fields of the merchant row and their erased value. Kept: legal_name,
# registration_number, lei, country, subdivision, declared_mcc, external_id (the business's
# identity, as public registers publish it, and the integrator's own reference).
ERASED_FIELDS: dict[str, Any] = {
    "dba_name": "",
    "tax_id_encrypted": "",
    "tax_id_hash": "",
    "tax_id_last4": "",
    "address": {},
    "website": "",
    "email": "",
    "phone": "",
    "description": "",
    "people": [],
    "metadata": {},
}

# An eraser scrubs its app's copies of the merchant's data, inside the erasure's transaction,
# and returns counts for the audit row. A purger deletes its app's rows of a merchant whose
# retention is over.
Eraser = Callable[[Merchant], dict[str, int]]
_erasers: list[Eraser] = []
_purgers: list[Callable[[Merchant], dict[str, int]]] = []


def register(
    *,
    eraser: Eraser | None = None,
    purger: Callable[[Merchant], dict[str, int]] | None = None,
) -> None:
    if eraser is not None and eraser not in _erasers:
        _erasers.append(eraser)
    if purger is not None and purger not in _purgers:
        _purgers.append(purger)


class ErasureBlocked(Conflict):
    """A verification is running on the data: erasing now would race its writes."""


def _idempotency_records_delete(merchant: Merchant, ids: list[str]) -> int:
    """Stored responses that carried this merchant or its verifications: a replay would serve
    the personal data again."""
    records = IdempotencyRecord.objects.filter(integrator_id=merchant.integrator_id).annotate(
        body_text=Cast("response_body", TextField())
    )
    doomed: set[int] = set()
    for ident in ids:
        doomed.update(records.filter(body_text__contains=ident).values_list("pk", flat=True))
    return IdempotencyRecord.objects.filter(pk__in=doomed).delete()[0] if doomed else 0


def related_ids(merchant: Merchant) -> list[str]:
    """The merchant's id and its verifications' ids: what references it elsewhere."""
    verification_ids = merchant.verifications.values_list("pk", flat=True)
    return [str(merchant.pk), *(str(v) for v in verification_ids)]


def merchant_erase(*, merchant: Merchant, requested_by: str) -> MerchantErasure:
    """Erase the merchant's personal data everywhere we hold it. Idempotent: a second call
    returns the first erasure."""
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        existing = MerchantErasure.objects.filter(merchant_id=merchant.pk).first()
        if merchant.erased_at is not None and existing is not None:
            return existing
        if merchant.verifications.filter(status__in=["pending", "processing"]).exists():
            raise ErasureBlocked(
                "verification_in_progress",
                "A verification of this merchant is running; erase it once it is decided.",
            )
        now = timezone.now()
        retain_until = now + timedelta(days=settings.ERASURE_RETENTION_DAYS)
        ids = related_ids(merchant)
        summary: dict[str, int] = {
            "idempotency_records": _idempotency_records_delete(merchant, ids)
        }
        for eraser in list(_erasers):
            summary.update(eraser(merchant))
        # Listeners cut their copies, then the erasure goes out (webhooks: merchant.erased).
        erased = {
            "merchant_id": str(merchant.pk),
            "external_id": merchant.external_id,
            "erased_at": iso_utc(now),
            "retain_until": iso_utc(retain_until),
        }
        summary.update(
            events.publish(
                "merchant.erased",
                integrator_id=merchant.integrator_id,
                payload=erased,
                redact_ids=tuple(ids),
                livemode=merchant.livemode,
            )
        )
        for name, value in ERASED_FIELDS.items():
            setattr(merchant, name, value)
        merchant.erased_at = now
        merchant.save(update_fields=[*ERASED_FIELDS, "erased_at", "updated_at"])
        erasure = MerchantErasure.objects.create(
            integrator_id=merchant.integrator_id,
            merchant_id=merchant.pk,
            requested_by=requested_by[:150],
            erased_at=now,
            retain_until=retain_until,
            summary=summary,
        )
        invalidate_on_commit(MERCHANT_NAMESPACE, merchant.pk)
    logger.info("merchant %s erased by %s: %s", merchant.pk, requested_by, summary)
    return erasure


def merchant_erasures_purge(*, limit: int = 500) -> int:
    """Delete the skeletons whose retention is over; returns how many were purged. The audit
    row stays, marked purged."""
    now = timezone.now()
    due = list(
        MerchantErasure.objects.filter(purged_at=None, retain_until__lte=now).order_by(
            "retain_until"
        )[:limit]
    )
    for erasure in due:
        with transaction.atomic():
            merchant = Merchant.objects.select_for_update().filter(pk=erasure.merchant_id).first()
            counts: dict[str, int] = {}
            if merchant is not None:
                for purge in list(_purgers):
                    counts.update(purge(merchant))
                merchant.delete()
            erasure.purged_at = now
            erasure.summary = {**erasure.summary, "purged": counts}
            erasure.save(update_fields=["purged_at", "summary"])
    return len(due)
