"""``Idempotency-Key`` on POST: same key + same request within the retention window returns
the original status and body without doing the work again; same key + different request is 422.

Exactly-once under concurrency comes from the unique (integrator, key) index, not from a
check-then-insert: the record is inserted in the transaction that does the work.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import orjson
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from kyb.api.auth import request_livemode
from kyb.api.errors import ApiError
from kyb.api.renderers import _default
from kyb.crypto import decrypt, encrypt
from kyb.db import insert_statement, run_together
from kyb.models import IdempotencyRecord
from kyb.tenancy.models import Integrator

HEADER = "Idempotency-Key"
# 1 to 255 visible ASCII characters, spaces only inside (a header value's outer spaces never
# arrive). The OpenAPI schema publishes the same pattern (kyb/api/schema.py).
KEY_PATTERN = r"^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$"
REPLAY_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("Location",)


def _fingerprint(request: Request) -> str:
    """Method, path and the parsed body in canonical form: key order and whitespace don't
    make a retry "different"."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    # Always re-encodable: the orjson parser (kyb.api.parsers) refused what would not be.
    digest.update(orjson.dumps(request.data, option=orjson.OPT_SORT_KEYS, default=_default))
    return digest.hexdigest()


ENCRYPTED = "_kyb_encrypted"


def _seal(body: Any, sensitive: tuple[str, ...]) -> Any:
    """The body as stored: the ``sensitive`` top-level fields (a secret shown once) encrypted
    like every other secret at rest, so a replay can still show them to the retrying client."""
    if not sensitive or not isinstance(body, dict):
        return body
    return {
        k: {ENCRYPTED: encrypt(str(v))} if k in sensitive and v is not None else v
        for k, v in body.items()
    }


def _unseal(body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    return {
        k: decrypt(v[ENCRYPTED]) if isinstance(v, dict) and set(v) == {ENCRYPTED} else v
        for k, v in body.items()
    }


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise ApiError(
            code="idempotency_key_reused",
            message="This Idempotency-Key was used with a different request.",
            status_code=422,
        )
    headers = {**record.response_headers, REPLAY_HEADER: "true"}
    return Response(_unseal(record.response_body), status=record.status_code, headers=headers)


def idempotent(
    request: Request,
    integrator: Integrator,
    handler: Callable[[], Response],
    *,
    sensitive: tuple[str, ...] = (),
) -> Response:
    """Run ``handler`` at most once per (integrator, mode, Idempotency-Key). ``sensitive`` names
    response fields stored encrypted in the record (e.g. a webhook secret).

    The work runs first and the record is inserted last, in the same transaction, with its
    final response: one statement in the common case. A concurrent or earlier request with
    the same key makes that insert fail on the unique index (a concurrent one blocks until the
    first commits); this transaction then rolls back, work included, and replays the winner.
    An expired record is deleted and the request runs again."""
    key = request.headers.get(HEADER)
    if key is None:
        return handler()
    if not re.fullmatch(KEY_PATTERN, key):
        raise ApiError(
            code="invalid_idempotency_key",
            message="1 to 255 visible ASCII characters (spaces only inside).",
        )
    fingerprint = _fingerprint(request)
    livemode = request_livemode(request)  # a key is per (integrator, mode)
    for _ in range(2):
        try:
            return _run_and_record(integrator, livemode, key, fingerprint, handler, sensitive)
        except Exception as exc:
            # The work failed or lost the insert: a retry of a request that already ran (its
            # work now conflicts, e.g. "merchant exists") replays the first outcome.
            existing = IdempotencyRecord.objects.filter(
                integrator=integrator, livemode=livemode, key=key
            ).first()
            if existing is None:
                raise
            cutoff = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_TTL)
            if existing.created_at >= cutoff:
                return _replay(existing, fingerprint)
            IdempotencyRecord.objects.filter(pk=existing.pk, created_at__lt=cutoff).delete()
            if not isinstance(exc, IntegrityError):
                raise
    raise ApiError(code="conflict", message="Retry this request.", status_code=409)


def _run_and_record(
    integrator: Integrator,
    livemode: bool,
    key: str,
    fingerprint: str,
    handler: Callable[[], Response],
    sensitive: tuple[str, ...],
) -> Response:
    with transaction.atomic():
        response = handler()
        record = IdempotencyRecord(
            integrator=integrator,
            livemode=livemode,
            key=key,
            fingerprint=fingerprint,
            status_code=response.status_code,
            response_body=_seal(
                orjson.loads(orjson.dumps(response.data, default=_default)), sensitive
            ),
            response_headers={h: response[h] for h in KEPT_HEADERS if h in response},
        )
        run_together([insert_statement(record)], new=[record])  # fixed SQL: every keyed POST
    return response
