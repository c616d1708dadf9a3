"""Batch endpoints: ``/api/v1/verification-batches`` (docs/batches.md)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from batches.selectors import (
    batch_get,
    batch_item_public,
    batch_item_rows,
    batch_list,
    batch_public_data,
    batch_summary,
)
from batches.serializers import (
    BatchAcceptedSerializer,
    BatchCreateSerializer,
    BatchInvalidSerializer,
    BatchItemQuerySerializer,
    BatchItemSerializer,
    BatchListQuerySerializer,
    BatchOutputSerializer,
    BatchSummarySerializer,
)
from batches.services import BatchInvalid, batch_accept, batch_items_of
from kyb.api.auth import request_integrator, request_livemode
from kyb.api.idempotency import idempotent
from kyb.api.pagination import CreatedCursorPagination
from kyb.api.parsers import JsonLinesParser, JsonlParser, OrjsonParser
from kyb.api.schema import ERRORS, IDEMPOTENCY_HEADER, paginated

# Errors listed in a response body; the items list (?status=invalid) has every one.
REPORTED_ERRORS = 1000


class BatchItemPagination(CreatedCursorPagination):
    """Items by their position in the request; the cursor holds an index."""

    ordering = ("index",)  # type: ignore[assignment]  # DRF takes a str or a tuple
    page_size = 100
    max_page_size = 1000

    def valid_position(self, position: str) -> bool:
        """An item index (an integer column: 20 digits would overflow it)."""
        return str(position).isdigit() and len(str(position)) <= 9


def _accepted_body(accepted: Any) -> dict[str, Any]:
    batch, errors = accepted.batch, accepted.errors
    counts = {
        "pending": batch.total - len(errors),
        "processing": 0,
        "approved": 0,
        "in_review": 0,
        "rejected": 0,
        "error": 0,
        "invalid": len(errors),
    }
    return {
        **batch_public_data(batch, counts=counts),
        "errors": errors[:REPORTED_ERRORS],
        "errors_truncated": len(errors) > REPORTED_ERRORS,
    }


class BatchListCreateApi(APIView):
    parser_classes = [OrjsonParser, JsonLinesParser, JsonlParser]

    @extend_schema(
        operation_id="verification_batches_list",
        parameters=[BatchListQuerySerializer],
        responses={200: paginated("PaginatedBatchList", BatchSummarySerializer), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        BatchListQuerySerializer(data=request.query_params.dict()).is_valid(raise_exception=True)
        rows = batch_list(
            integrator_id=request_integrator(request).pk, livemode=request_livemode(request)
        )
        paginator = CreatedCursorPagination()
        page = paginator.paginate_queryset(rows, request, view=self) or []
        return paginator.get_paginated_response([batch_summary(batch) for batch in page])

    @extend_schema(
        operation_id="verification_batches_create",
        request={
            "application/json": BatchCreateSerializer,
            "application/x-ndjson": OpenApiTypes.STR,
            "application/jsonl": OpenApiTypes.STR,
        },
        parameters=[IDEMPOTENCY_HEADER],
        description="Submit up to 10,000 verifications at once: a JSON array of items (each the "
        'body of POST /verifications: {"merchant": {...}} or {"merchant_id": "..."}), the '
        'same array as {"items": [...]}, or JSON Lines. Each item is validated like a single '
        "submission; invalid items are reported by index and the rest are accepted. Up to "
        "API_BATCH_MAX_BODY_BYTES (16 MiB) of body. See docs/batches.md.",
        responses={
            202: OpenApiResponse(BatchAcceptedSerializer, description="accepted, processing"),
            **ERRORS,
            413: OpenApiResponse(
                ERRORS[413].response,
                description="body over API_BATCH_MAX_BODY_BYTES (payload_too_large), or more "
                "than 10,000 items (batch_too_large)",
            ),
            422: OpenApiResponse(
                BatchInvalidSerializer,
                description="every item is invalid (batch_invalid), or Idempotency-Key reused "
                "with a different request (idempotency_key_reused)",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        integrator = request_integrator(request)
        items = batch_items_of(request.data)

        def create() -> Response:
            with transaction.atomic():
                accepted = batch_accept(
                    integrator_id=integrator.pk, items=items, livemode=request_livemode(request)
                )
            return Response(
                _accepted_body(accepted),
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": f"/api/v1/verification-batches/{accepted.batch.id}"},
            )

        try:
            return idempotent(request, integrator, create)
        except BatchInvalid as exc:
            body = {"code": exc.code, "message": exc.message, "items": exc.errors[:1000]}
            return Response({"error": body}, status=exc.status_code)


class BatchDetailApi(APIView):
    @extend_schema(
        operation_id="verification_batches_retrieve",
        responses={200: BatchOutputSerializer, **ERRORS},
    )
    def get(self, request: Request, batch_id: uuid.UUID) -> Response:
        integrator = request_integrator(request)
        batch = batch_get(
            integrator_id=integrator.pk, batch_id=batch_id, livemode=request_livemode(request)
        )
        return Response(batch_public_data(batch))


class BatchItemListApi(APIView):
    @extend_schema(
        operation_id="verification_batches_items_list",
        parameters=[BatchItemQuerySerializer],
        responses={200: paginated("PaginatedBatchItemList", BatchItemSerializer), **ERRORS},
    )
    def get(self, request: Request, batch_id: uuid.UUID) -> Response:
        query = BatchItemQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        integrator = request_integrator(request)
        batch = batch_get(
            integrator_id=integrator.pk, batch_id=batch_id, livemode=request_livemode(request)
        )
        rows = batch_item_rows(batch_id=batch.id, status=query.validated_data.get("status"))
        paginator = BatchItemPagination()
        page = paginator.paginate_queryset(rows, request, view=self) or []
        return paginator.get_paginated_response([batch_item_public(row) for row in page])
