"""Verification endpoints: ``/api/v1/verifications``."""

from __future__ import annotations

import re
import threading
import time
import uuid
from typing import Any

import orjson
from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kyb.api.auth import request_integrator, request_livemode
from kyb.api.idempotency import REPLAY_HEADER, idempotent
from kyb.api.pagination import CreatedCursorPagination
from kyb.api.schema import ERRORS, IDEMPOTENCY_HEADER, paginated
from kyb.api.serializers import query_validated
from kyb.errors import ValidationFailed
from merchants.serializers import merchant_input_clean
from verifications.models import VerificationSource, VerificationStatus
from verifications.selectors import (
    verification_get_data,
    verification_list,
    verification_public_data,
    verification_status,
    verification_summaries,
)
from verifications.serializers import (
    VerificationCreateSerializer,
    VerificationListQuerySerializer,
    VerificationOutputSerializer,
    VerificationSummarySerializer,
)
from verifications.submissions import verification_submit_for

MAX_WAIT_SECONDS = 30
POLL_INTERVAL = 0.2
# At most 6 digits: anything longer is capped anyway, and int() of a huge one would raise.
_PREFER_WAIT = re.compile(r"(?:^|[,;\s])wait=(\d{1,6})(?!\d)", re.IGNORECASE)  # RFC 7240
# "Done" for a waiting caller: a decision (including in_review) or an error.
DONE = {
    VerificationStatus.APPROVED,
    VerificationStatus.IN_REVIEW,
    VerificationStatus.REJECTED,
    VerificationStatus.ERROR,
}


def _with_checks(request: Request, page: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``?expand=checks``: the rows with each check's full result."""
    checks = dict(
        verification_list(
            integrator=request_integrator(request), livemode=request_livemode(request)
        )
        .filter(pk__in=[v["id"] for v in page])
        .values_list("pk", "checks")
    )
    rows = []
    for v in page:
        row = orjson.loads(v["row"])
        row["checks"] = checks.get(v["id"], {})
        rows.append(row)
    return rows


def prefer_wait_seconds(request: Request) -> int:
    match = _PREFER_WAIT.search(request.headers.get("Prefer", ""))
    return min(int(match.group(1)), MAX_WAIT_SECONDS) if match else 0


# Waiting holds a gunicorn thread: at most PREFER_WAIT_MAX_WAITERS requests of a process wait at
# once (a QA pass held every thread with four waiting POSTs, and another integrator's GET took
# 28 s). Prefer is a preference (RFC 7240): the others are answered at once.
_waiters: dict[int, threading.BoundedSemaphore] = {}
_waiters_lock = threading.Lock()


def waiter_slots() -> threading.BoundedSemaphore | None:
    """This process's slots for waiting requests (None: ``Prefer: wait`` is ignored)."""
    size = settings.PREFER_WAIT_MAX_WAITERS
    if size <= 0:
        return None
    slots = _waiters.get(size)
    if slots is None:
        with _waiters_lock:
            slots = _waiters.setdefault(size, threading.BoundedSemaphore(size))
    return slots


def _wait_until_done(verification_id: uuid.UUID, seconds: int) -> bool:
    slots = waiter_slots()
    if slots is None or not slots.acquire(blocking=False):
        return False
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if verification_status(verification_id=verification_id) in DONE:
                return True
            time.sleep(POLL_INTERVAL)
        return False
    finally:
        slots.release()


class VerificationListCreateApi(APIView):
    @extend_schema(
        operation_id="verifications_list",
        parameters=[VerificationListQuerySerializer],
        responses={
            200: paginated("PaginatedVerificationList", VerificationSummarySerializer),
            **ERRORS,
        },
    )
    def get(self, request: Request) -> Response | HttpResponse:
        params = query_validated(VerificationListQuerySerializer, request.query_params.dict())
        filters = {k: v for k, v in params.items() if k not in {"cursor", "limit", "expand"}}
        rows = verification_summaries(
            integrator=request_integrator(request),
            livemode=request_livemode(request),
            **filters,
        )
        paginator = CreatedCursorPagination()
        page: list[dict[str, Any]] = paginator.paginate_queryset(rows, request, view=self) or []  # type: ignore[arg-type]
        if params.get("expand") == "checks":
            return paginator.get_paginated_response(_with_checks(request, page))
        # PostgreSQL's json text has spaced separators; orjson makes the page as compact as every
        # other response (a few microseconds a row, far less than building rows in Python).
        return paginator.get_raw_response(orjson.dumps([orjson.loads(v["row"]) for v in page]))

    @extend_schema(
        operation_id="verifications_create",
        request=VerificationCreateSerializer,
        parameters=[
            IDEMPOTENCY_HEADER,
            OpenApiParameter(
                "Prefer",
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                description="wait=N (N ≤ 30): hold the response until the verification is done "
                "or N seconds pass",
            ),
        ],
        responses={
            202: OpenApiResponse(VerificationOutputSerializer, description="accepted, pending"),
            200: OpenApiResponse(
                VerificationOutputSerializer, description="done within Prefer: wait"
            ),
            **ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        integrator = request_integrator(request)
        livemode = request_livemode(request)
        payload = VerificationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)

        def create() -> Response:
            merchant_fields = None
            if "merchant" in payload.validated_data:
                try:
                    merchant_fields = merchant_input_clean(payload.validated_data["merchant"])
                except ValidationFailed as exc:
                    raise ValidationFailed({"merchant": exc.fields}) from exc
            verification = verification_submit_for(
                integrator=integrator,
                merchant_id=payload.validated_data.get("merchant_id"),
                merchant_fields=merchant_fields,
                source=VerificationSource.API,
                livemode=livemode,
            )
            return Response(
                verification_public_data(verification),
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": f"/api/v1/verifications/{verification.id}"},
            )

        response = idempotent(request, integrator, create)
        wait = prefer_wait_seconds(request)
        if wait and response.status_code == status.HTTP_202_ACCEPTED:
            verification_id = uuid.UUID(response.data["id"])
            if _wait_until_done(verification_id, wait):
                data = verification_get_data(
                    integrator=integrator,
                    livemode=livemode,
                    verification_id=verification_id,
                    use_cache=False,
                )
                headers = {"Preference-Applied": f"wait={wait}"}
                if response.has_header(REPLAY_HEADER):
                    # A replay waits as the first request did; it still says it is one.
                    headers[REPLAY_HEADER] = response[REPLAY_HEADER]
                return Response(data, headers=headers)
        return response


class VerificationDetailApi(APIView):
    @extend_schema(
        operation_id="verifications_retrieve",
        responses={200: VerificationOutputSerializer, **ERRORS},
    )
    def get(self, request: Request, verification_id: uuid.UUID) -> Response:
        return Response(
            verification_get_data(
                integrator=request_integrator(request),
                livemode=request_livemode(request),
                verification_id=verification_id,
            )
        )
