"""Internal submission: what the ``kyb.verifications.submit`` Celery task does.

Creates the same records as the API, through the same service (``verification_submit_for``:
the merchant with the API's validation and tax-id encryption, then the verification and its
outbox job) and returns the verification. An idempotency key (per integrator) makes a re-sent
submission return the first verification; the same key with a different payload is refused.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

import orjson
from django.db import connection, transaction

from kyb.errors import Conflict, ValidationFailed
from kyb.queues import Queue
from kyb.tenancy.models import Integrator
from merchants.selectors import merchant_get
from merchants.serializers import merchant_input_clean
from merchants.services import merchant_create
from verifications.models import BusinessVerification, InternalSubmission, VerificationSource
from verifications.services import verification_create

# First key of the two-key advisory lock that serialises submissions sharing an idempotency key.
_LOCK_NAMESPACE = 0x4B5942  # "KYB"
PRIORITY_QUEUES = {"high": Queue.VERIFICATIONS, "bulk": Queue.BULK}


class SubmissionRejected(ValueError):
    """The submission cannot be accepted (unknown integrator, invalid payload, key reuse)."""


def integrator_resolve(ref: str) -> Integrator:
    """The active integrator named by id or name (task callers use either)."""
    try:
        found = Integrator.objects.filter(pk=uuid.UUID(str(ref))).first()
    except ValueError:
        found = Integrator.objects.filter(name=ref).first()
    if found is None or not found.is_active:
        raise SubmissionRejected(f"unknown or inactive integrator: {ref!r}")
    return found


def _request_hash(merchant: Mapping[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(merchant, option=orjson.OPT_SORT_KEYS)).hexdigest()


def verification_submit_for(
    *,
    integrator: Integrator,
    merchant_id: uuid.UUID | None = None,
    merchant_fields: Mapping[str, Any] | None = None,
    source: str = VerificationSource.API,
    queue: str = Queue.VERIFICATIONS,
    livemode: bool = True,
) -> BusinessVerification:
    """The verification of an existing merchant (``merchant_id``, the integrator's own in this
    mode) or of a new one (``merchant_fields``, validated by ``merchant_input_clean``), created
    with its outbox job in one transaction: the API's create and the internal submission both
    come here. Inside a caller's transaction it opens no savepoint of its own."""
    with transaction.atomic(savepoint=False):
        if merchant_id is not None:
            merchant = merchant_get(
                integrator=integrator, livemode=livemode, merchant_id=merchant_id
            )
        else:
            merchant = merchant_create(
                integrator=integrator, livemode=livemode, fields=merchant_fields or {}
            )
        return verification_create(merchant=merchant, source=source, queue=queue)


def _create(
    integrator: Integrator, merchant: Mapping[str, Any], queue: Queue
) -> BusinessVerification:
    try:
        return verification_submit_for(
            integrator=integrator,
            merchant_fields=merchant_input_clean(merchant),
            source=VerificationSource.INTERNAL,
            queue=queue,
        )
    except ValidationFailed as exc:
        raise SubmissionRejected(f"invalid merchant: {orjson.dumps(exc.fields).decode()}") from exc
    except Conflict as exc:
        raise SubmissionRejected(f"{exc.code}: {exc.message}") from exc


def verification_submit(
    *,
    integrator: str,
    merchant: Mapping[str, Any],
    idempotency_key: str,
    priority: str = "bulk",
) -> BusinessVerification:
    """Create (or, for a known key, find) the verification of ``merchant``."""
    if priority not in PRIORITY_QUEUES:
        raise SubmissionRejected(f"priority must be one of {sorted(PRIORITY_QUEUES)}")
    if not isinstance(merchant, Mapping):
        raise SubmissionRejected("merchant must be a JSON object")
    owner = integrator_resolve(integrator)
    digest = _request_hash(merchant)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                [_LOCK_NAMESPACE, f"{owner.pk}:{idempotency_key}"],
            )
        existing = (
            InternalSubmission.objects.select_related("verification")
            .filter(integrator=owner, idempotency_key=idempotency_key)
            .first()
        )
        if existing is not None:
            if existing.request_hash != digest:
                raise SubmissionRejected("idempotency key reused with a different payload")
            return existing.verification
        verification = _create(owner, merchant, PRIORITY_QUEUES[priority])
        InternalSubmission.objects.create(
            integrator=owner,
            idempotency_key=idempotency_key,
            request_hash=digest,
            verification=verification,
        )
    return verification
