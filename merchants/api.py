"""Merchant endpoints: ``/api/v1/merchants``. One class per resource shape; views only parse,
call a service or selector, and render."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kyb.api.auth import request_integrator, request_livemode
from kyb.api.idempotency import idempotent
from kyb.api.pagination import CreatedCursorPagination
from kyb.api.schema import ERRORS, IDEMPOTENCY_HEADER, paginated
from kyb.tenancy.models import Integrator
from merchants.erasure_api import MerchantErasureOutputSerializer, merchant_erase_view
from merchants.selectors import (
    merchant_data,
    merchant_get,
    merchant_get_data,
    merchant_list,
    public,
)
from merchants.serializers import (
    MerchantInputSerializer,
    MerchantListQuerySerializer,
    MerchantOutputSerializer,
    MerchantUpdateSerializer,
    merchant_input_clean,
)
from merchants.services import merchant_create, merchant_ensure_editable, merchant_update


def _integrator(request: Request) -> Integrator:
    return request_integrator(request)


def _actor(request: Request) -> str:
    prefix = getattr(request.auth, "prefix", None)  # request.auth is the caller's API key
    return f"api_key:{prefix}" if prefix else "api"


class MerchantListCreateApi(APIView):
    @extend_schema(
        operation_id="merchants_list",
        parameters=[MerchantListQuerySerializer],
        responses={200: paginated("PaginatedMerchantList", MerchantOutputSerializer), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = MerchantListQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        filters = {k: v for k, v in query.validated_data.items() if k not in {"cursor", "limit"}}
        qs = merchant_list(
            integrator=_integrator(request), livemode=request_livemode(request), **filters
        )
        paginator = CreatedCursorPagination()
        page = paginator.paginate_queryset(qs, request, view=self) or []
        return paginator.get_paginated_response([public(merchant_data(m)) for m in page])

    @extend_schema(
        operation_id="merchants_create",
        request=MerchantInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: MerchantOutputSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        def create() -> Response:
            fields = merchant_input_clean(request.data)
            merchant = merchant_create(
                integrator=_integrator(request), livemode=request_livemode(request), fields=fields
            )
            return Response(
                public(merchant_data(merchant)),
                status=status.HTTP_201_CREATED,
                headers={"Location": f"/api/v1/merchants/{merchant.id}"},
            )

        return idempotent(request, _integrator(request), create)


class MerchantDetailApi(APIView):
    @extend_schema(
        operation_id="merchants_retrieve", responses={200: MerchantOutputSerializer, **ERRORS}
    )
    def get(self, request: Request, merchant_id: uuid.UUID) -> Response:
        return Response(
            merchant_get_data(
                integrator=_integrator(request),
                livemode=request_livemode(request),
                merchant_id=merchant_id,
            )
        )

    @extend_schema(
        operation_id="merchants_update",
        request=MerchantUpdateSerializer,
        responses={200: MerchantOutputSerializer, **ERRORS},
    )
    def patch(self, request: Request, merchant_id: uuid.UUID) -> Response:
        merchant = merchant_get(
            integrator=_integrator(request),
            livemode=request_livemode(request),
            merchant_id=merchant_id,
        )
        merchant_ensure_editable(merchant=merchant)
        fields = merchant_input_clean(request.data, partial=True)
        merchant = merchant_update(merchant=merchant, fields=fields, actor=_actor(request))
        return Response(public(merchant_data(merchant)))

    @extend_schema(
        operation_id="merchants_erase",
        description="Erase the merchant's personal data; see docs/api.md#erasure.",
        responses={200: MerchantErasureOutputSerializer, **ERRORS},
    )
    def delete(self, request: Request, merchant_id: uuid.UUID) -> Response:
        return merchant_erase_view(request, merchant_id)
