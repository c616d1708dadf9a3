"""Reads of the verifications app, scoped to the caller's integrator."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kyb.cache import resource_get_or_fill, resource_owner, resource_payload
from kyb.db import fetch_one
from kyb.errors import NotFound
from kyb.formats import iso_utc, json_bytes
from kyb.tenancy.models import Integrator
from verifications.models import BusinessVerification
from verifications.services import SYSTEM_ACTOR

VERIFICATION_NAMESPACE = "business:verification"


def verification_data(v: BusinessVerification, *, checks: bool = True) -> dict[str, Any]:
    """The API representation as plain JSON data (what the cache stores); ``checks=False``
    leaves out the evidence (and never loads the deferred column)."""
    decided = v.decided_at is not None
    data = {
        "id": str(v.id),
        "livemode": v.livemode,
        "merchant_id": str(v.merchant_id),
        "status": v.status,
        "source": v.source,
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
    if checks:
        data["checks"] = v.checks
    return data


def _ts(column: str) -> str:
    """SQL for ``iso_utc(column)``: microseconds only when there are some, ``Z`` for UTC."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"CASE WHEN {column} IS NULL THEN NULL ELSE to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN to_char({utc}, 'US') = '000000' THEN '' ELSE to_char({utc}, '.US') END"
        " || 'Z' END"
    )


# A list row as JSON text, built by PostgreSQL: no evidence, no model instances, no per-row
# Python. It must equal ``verification_summary_data`` of the same row, ``public_decision``
# included (a test holds them together): change both or neither.
_SUMMARY_JSON = f"""json_build_object(
  'id', id, 'livemode', livemode, 'merchant_id', merchant_id, 'status', status,
  'source', source,
  'risk', json_build_object('score', risk_score, 'reasons', risk_reasons),
  'decision', CASE WHEN decided_at IS NULL THEN NULL
    WHEN decided_by_user_id IS NOT NULL OR decided_by NOT IN ('', 'system')
    THEN json_build_object(
      'outcome', status, 'decided_by', 'analyst',
      'reason_code', COALESCE(NULLIF(decision_code, ''), 'other'),
      'reason', COALESCE(NULLIF(decision_public_reason, ''),
        %s::jsonb ->> COALESCE(NULLIF(decision_code, ''), 'other'), ''),
      'decided_at', {_ts("decided_at")})
    ELSE json_build_object(
      'outcome', status, 'decided_by', 'system', 'reason_code', 'automatic',
      'reason', decision_reason, 'decided_at', {_ts("decided_at")}) END,
  'error_reason', error_reason,
  'information_request', CASE WHEN information_requested_at IS NULL THEN NULL
    ELSE json_build_object('reason', information_requested,
    'requested_at', {_ts("information_requested_at")}) END,
  'created_at', {_ts("created_at")}, 'updated_at', {_ts("updated_at")},
  'started_at', {_ts("started_at")}, 'completed_at', {_ts("completed_at")},
  'check_statuses', (
    SELECT COALESCE(jsonb_object_agg(name, result -> 'status'), '{{}}'::jsonb)
    FROM jsonb_each(business_verifications.checks) AS each_check(name, result))
)::text"""  # noqa: S608 - column names only, no input


def verification_summary_data(v: BusinessVerification) -> dict[str, Any]:
    """A list row: the representation without the checks' evidence, with each check's
    status. The API serves the same shape from ``_SUMMARY_JSON`` without calling this."""
    data = _public(verification_data(v, checks=False))
    data["check_statuses"] = {
        name: (result or {}).get("status") for name, result in v.checks.items()
    }
    return data


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
    *, integrator: Integrator, livemode: bool = True
) -> QuerySet[BusinessVerification]:
    """One integrator's verifications of one mode (the API's list pages are
    ``verification_summaries``)."""
    return BusinessVerification.objects.filter(integrator=integrator, livemode=livemode)


class VerificationSummaries:
    """One integrator's verification list rows as fixed SQL: ``{"id", "created_at", "row"}``
    dicts, ``row`` the summary JSON built by PostgreSQL (``_SUMMARY_JSON``).

    It answers what DRF's ``CursorPagination`` asks of a queryset (``order_by`` on the
    pagination's ordering, one ``created_at`` position filter, one slice) with a statement
    joined from fixed pieces, so the pagination, its cursors and its links stay DRF's. The ORM
    compiled the same query anew on every request, for more CPU than PostgreSQL spent on the
    page (``make bench-api``: docs/performance.md)."""

    _ORDER: dict[tuple[str, ...], str] = {
        ("-created_at", "-id"): '"created_at" DESC, "id" DESC',
        ("created_at", "id"): '"created_at" ASC, "id" ASC',
    }
    _POSITION = {"created_at__lt": '"created_at" < %s', "created_at__gt": '"created_at" > %s'}

    def __init__(self, where: list[str], params: list[Any], order: str = "") -> None:
        self._where = where
        self._params = params
        self._order = order

    def order_by(self, *fields: str) -> VerificationSummaries:
        return VerificationSummaries(self._where, self._params, self._ORDER[fields])

    def filter(self, **position: str) -> VerificationSummaries:
        ((lookup, value),) = position.items()
        at = parse_datetime(value)  # the paginator checked that it parses
        if at is None:
            raise ValueError(f"not a timestamp: {value!r}")
        if timezone.is_naive(at):
            at = timezone.make_aware(at, UTC)
        return VerificationSummaries(
            [*self._where, self._POSITION[lookup]], [*self._params, at], self._order
        )

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        start, stop = page.start or 0, page.stop
        order = self._order or self._ORDER["-created_at", "-id"]
        where = " AND ".join(self._where)
        # Fixed pieces only (this class's and the selector's); every value is a parameter.
        sql = (
            f'SELECT "id", {_STAMP}, ({_SUMMARY_JSON}) FROM "business_verifications" '  # noqa: S608
            f"WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s"
        )
        labels = orjson.dumps(settings.DECISION_REASON_CODES).decode()
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(sql, [labels, *self._params, stop - start, start])
            rows = cursor.fetchall()
        return [
            {"id": id_, "created_at": _Stamp(created), "row": row} for id_, created, row in rows
        ]


# ``created_at`` as fixed ISO text in UTC: loading 51 timestamps as datetimes was a tenth of the
# page's CPU, and the pagination reads one or two of them.
_STAMP = """to_char("created_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""


class _Stamp:
    """A list row's ``created_at`` as PostgreSQL wrote it. DRF's cursor pagination reads a
    row's position as ``str(row["created_at"])``; this gives the string the ORM's datetime
    gave, parsed only for the rows the pagination asks about."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return str(datetime.fromisoformat(self.text))


def verification_summaries(
    *,
    integrator: Integrator,
    livemode: bool = True,
    status: str | None = None,
    merchant_id: uuid.UUID | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> VerificationSummaries:
    """One integrator's list rows in one mode, filtered, for the API's cursor pagination."""
    where = ['"integrator_id" = %s', '"livemode" = %s']
    params: list[Any] = [integrator.pk, livemode]
    for column, value in (
        ('"status" = %s', status),
        ('"merchant_id" = %s', merchant_id),
        ('"created_at" >= %s', created_after),
        ('"created_at" < %s', created_before),
    ):
        if value:
            where.append(column)
            params.append(value)
    return VerificationSummaries(where, params)


def _public(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not k.startswith("_")}


def verification_public_data(v: BusinessVerification) -> dict[str, Any]:
    """What the API and webhooks show of a verification (no internal ``_`` keys)."""
    return _public(verification_data(v))


def _verification_by_id(verification_id: uuid.UUID | str) -> BusinessVerification | None:
    """One row by primary key, as fixed SQL: the hottest read skips the ORM's compiler."""
    return fetch_one(BusinessVerification, '"id" = %s', [str(verification_id)])


def verification_payload(v: BusinessVerification) -> bytes:
    """The cache entry's payload of a row: owner, newline, public JSON body."""
    return resource_payload(
        resource_owner(v.integrator_id, v.livemode), json_bytes(verification_public_data(v))
    )


def verification_body(verification_id: uuid.UUID | str) -> tuple[str, bytes] | None:
    """(owner, public JSON body): what the cache stores and the API serves; the owner is the
    integrator and mode (``kyb.cache.resource_owner``)."""
    try:
        uuid.UUID(str(verification_id))
    except ValueError:
        return None
    v = _verification_by_id(verification_id)
    if v is None:
        return None
    return resource_owner(v.integrator_id, v.livemode), json_bytes(verification_public_data(v))


def verification_get_data(
    *,
    integrator: Integrator,
    verification_id: uuid.UUID,
    livemode: bool = True,
    use_cache: bool = True,
) -> dict[str, Any]:
    """Cache-aside read of ``business:verification:{id}``; another tenant's or the other
    mode's ids are "not found"."""
    if use_cache:
        found = resource_get_or_fill(
            VERIFICATION_NAMESPACE,
            verification_id,
            ttl=settings.CACHE_TTL_VERIFICATION,
            not_found_ttl=settings.CACHE_TTL_NOT_FOUND,
            loader=lambda: verification_body(verification_id),
        )
    else:
        found = verification_body(verification_id)
    if found is None or found[0] != resource_owner(integrator.id, livemode):
        raise NotFound("not_found", "Verification not found.")
    data: dict[str, Any] = orjson.loads(found[1])
    return data


def verification_status(*, verification_id: uuid.UUID) -> str | None:
    return (
        BusinessVerification.objects.filter(pk=verification_id)
        .values_list("status", flat=True)
        .first()
    )
