"""Schemathesis hooks for tests/test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

The fuzzer's stateful phase lists the integrator's API keys and revokes what it finds, its own
key among them; every later request would then be a 401 and test nothing. A revocation of the
fuzzer's own key (``KYB_FUZZ_KEY_PREFIX``) is sent for a decoy key of the same integrator
(``KYB_FUZZ_DECOY_PREFIX``) instead: the server still revokes a real key, just not the one in
use.

Free-form object keys: see ``filter_body``. DELETE that does not remove: see
``filter_failure``."""

from __future__ import annotations

import os
import re
import uuid
from typing import Any

import schemathesis
from schemathesis.transport.prepare import get_exclude_headers


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    _unique_idempotency_key(case)
    own = os.environ.get("KYB_FUZZ_KEY_PREFIX")
    decoy = os.environ.get("KYB_FUZZ_DECOY_PREFIX")
    params = case.path_parameters or {}
    if own and decoy and case.method.upper() == "DELETE" and params.get("prefix") == own:
        params["prefix"] = decoy


def _unique_idempotency_key(case: Any) -> None:
    """A valid Idempotency-Key gets a unique suffix. The fuzzer draws short keys ("0") again and
    again, and a reused key replays the first response by design: a 422 for another body, or
    the 201 of a resource deleted since (which then "was not found" after its creation). Keys
    the pattern refuses are sent as drawn, so the 400 stays tested."""
    pattern = os.environ.get("KYB_IDEMPOTENCY_KEY_PATTERN")  # kyb.api.idempotency's, from the test
    if get_exclude_headers(case):
        return  # a check's variant sent without a header: an edit here would undo that
    headers = case.headers or {}
    for name, value in list(headers.items()):
        valid = pattern and isinstance(value, str) and re.fullmatch(pattern, value)
        if name.lower() == "idempotency-key" and valid:
            headers[name] = f"{value[:200]}-{uuid.uuid4().hex}"


def _has_nul_key(value: Any) -> bool:
    if isinstance(value, dict):
        return any("\x00" in str(k) or _has_nul_key(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul_key(item) for item in value)
    return False


@schemathesis.hook
def filter_body(context: Any, body: Any) -> bool:
    """The parser refuses a NUL character anywhere, object keys included (PostgreSQL cannot
    store it), and OpenAPI 3.0 has no way to constrain free-form keys (``propertyNames`` is
    3.1): bodies with such a key are not generated. kyb/api/tests test the 400 directly."""
    return not _has_nul_key(body)


# DELETE here revokes or erases; what remains stays readable by design, so a GET after it is
# not a use after free: a revoked key shows its revoked_at (the integrator's audit), an erased
# merchant its business identity (docs/api.md#erasure) and its industry codes, which hold no
# personal data (seen by the stateful phase on 2026-12-03).
KEPT_AFTER_DELETE = {
    "GET /api/v1/api-keys/{prefix}",
    "GET /api/v1/merchants/{merchant_id}",
    "GET /api/v1/merchants/{merchant_id}/classifications",
}


# A batch whose every item names a merchant that does not exist is well-formed and still
# refused: 422 ``batch_invalid`` with each item's error (docs/batches.md), as a single POST of
# an unknown merchant_id is a 404. Which ids exist is not the schema's to say.
BATCHES = "POST /api/v1/verification-batches"


def _batch_refused_item_by_item(case: Any, response: Any) -> bool:
    if case.operation.label != BATCHES or response.status_code != 422:
        return False
    return bool(response.json().get("error", {}).get("code") == "batch_invalid")


def _batch_accepted_with_item_errors(case: Any, response: Any) -> bool:
    """A batch is validated item by item (docs/batches.md): one with a malformed item among good
    ones is accepted (202), that item counted ``invalid`` with its error, as designed."""
    if case.operation.label != BATCHES or response.status_code != 202:
        return False
    return bool(response.json().get("errors"))


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    if getattr(failure, "code", None) == "ST202" and _batch_refused_item_by_item(case, response):
        return False
    if getattr(failure, "code", None) == "ST201" and _batch_accepted_with_item_errors(
        case, response
    ):
        return False
    if getattr(failure, "code", None) != "ST301":
        return True
    if case.operation.label not in KEPT_AFTER_DELETE:
        return True
    if case.operation.label.startswith("GET /api/v1/api-keys/"):
        return response.json().get("revoked_at") is None  # kept only when shown revoked
    return False
