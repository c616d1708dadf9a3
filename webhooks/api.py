"""Webhook endpoints (`/api/v1/webhook-endpoints`) and deliveries (`/api/v1/webhook-deliveries`)."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kyb.api.auth import request_integrator, request_livemode
from kyb.api.idempotency import idempotent
from kyb.api.pagination import CreatedCursorPagination
from kyb.api.schema import ERRORS, IDEMPOTENCY_HEADER, paginated
from kyb.api.serializers import HttpsUrlField, PageQuerySerializer, StrictSerializer
from webhooks.models import EVENT_TYPES
from webhooks.selectors import (
    delivery_data,
    endpoint_data,
    webhook_delivery_get,
    webhook_delivery_list,
    webhook_endpoint_get,
    webhook_endpoint_list,
)
from webhooks.services import (
    webhook_delivery_redeliver,
    webhook_endpoint_create,
    webhook_endpoint_disable,
    webhook_endpoint_rotate_secret,
)


class EndpointInputSerializer(StrictSerializer):
    url = HttpsUrlField(max_length=500)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES),
        required=False,
        help_text="empty or absent: every event",
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


ListQuerySerializer = PageQuerySerializer  # the webhook lists take no filters


def _validated_query(request: Request) -> None:
    ListQuerySerializer(data=request.query_params.dict()).is_valid(raise_exception=True)


class EndpointOutputSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    livemode = serializers.BooleanField(help_text="false for sandbox objects (docs/sandbox.md)")
    # Stored as given: Django's URL validator takes more than JSON Schema's "uri" format.
    url = serializers.CharField()
    description = serializers.CharField()
    event_types = serializers.ListField(child=serializers.CharField())
    rotating = serializers.BooleanField(help_text="a previous secret still signs too")
    created_at = serializers.DateTimeField()


class EndpointWithSecretSerializer(EndpointOutputSerializer):
    secret = serializers.CharField(help_text="shown once: store it now")


class AttemptSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()
    duration_ms = serializers.IntegerField()
    at = serializers.DateTimeField()


class DeliveryOutputSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    livemode = serializers.BooleanField(help_text="false for sandbox objects (docs/sandbox.md)")
    event_id = serializers.UUIDField()
    event_type = serializers.CharField()
    status = serializers.ChoiceField(choices=["pending", "succeeded", "dead"])
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    redelivery_of = serializers.UUIDField(allow_null=True)
    created_at = serializers.DateTimeField()
    log = AttemptSerializer(many=True)


class WebhookEndpointListCreateApi(APIView):
    @extend_schema(
        operation_id="webhook_endpoints_list",
        parameters=[ListQuerySerializer],
        responses={
            200: paginated("PaginatedWebhookEndpointList", EndpointOutputSerializer),
            **ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        _validated_query(request)
        paginator = CreatedCursorPagination()
        qs = webhook_endpoint_list(
            integrator=request_integrator(request), livemode=request_livemode(request)
        )
        page = paginator.paginate_queryset(qs, request, view=self) or []
        return paginator.get_paginated_response([endpoint_data(e) for e in page])

    @extend_schema(
        operation_id="webhook_endpoints_create",
        request=EndpointInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: EndpointWithSecretSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        integrator = request_integrator(request)
        payload = EndpointInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)

        def create() -> Response:
            endpoint, secret = webhook_endpoint_create(
                integrator=integrator, livemode=request_livemode(request), **payload.validated_data
            )
            return Response(
                {**endpoint_data(endpoint), "secret": secret},
                status=status.HTTP_201_CREATED,
                headers={"Location": f"/api/v1/webhook-endpoints/{endpoint.id}"},
            )

        return idempotent(request, integrator, create, sensitive=("secret",))


class WebhookEndpointDetailApi(APIView):
    @extend_schema(
        operation_id="webhook_endpoints_retrieve",
        responses={200: EndpointOutputSerializer, **ERRORS},
    )
    def get(self, request: Request, endpoint_id: uuid.UUID) -> Response:
        endpoint = webhook_endpoint_get(
            integrator=request_integrator(request),
            livemode=request_livemode(request),
            endpoint_id=endpoint_id,
        )
        return Response(endpoint_data(endpoint))

    @extend_schema(operation_id="webhook_endpoints_delete", responses={204: None, **ERRORS})
    def delete(self, request: Request, endpoint_id: uuid.UUID) -> Response:
        endpoint = webhook_endpoint_get(
            integrator=request_integrator(request),
            livemode=request_livemode(request),
            endpoint_id=endpoint_id,
        )
        webhook_endpoint_disable(endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookEndpointRotateSecretApi(APIView):
    @extend_schema(
        operation_id="webhook_endpoints_rotate_secret",
        request=None,
        parameters=[IDEMPOTENCY_HEADER],
        responses={200: EndpointWithSecretSerializer, **ERRORS},
        description="New secret (shown once); the previous one keeps signing for a grace period.",
    )
    def post(self, request: Request, endpoint_id: uuid.UUID) -> Response:
        integrator = request_integrator(request)
        endpoint = webhook_endpoint_get(
            integrator=integrator, livemode=request_livemode(request), endpoint_id=endpoint_id
        )

        def rotate() -> Response:
            secret = webhook_endpoint_rotate_secret(endpoint=endpoint)
            return Response({**endpoint_data(endpoint), "secret": secret})

        return idempotent(request, integrator, rotate, sensitive=("secret",))


class WebhookDeliveryListApi(APIView):
    @extend_schema(
        operation_id="webhook_deliveries_list",
        parameters=[ListQuerySerializer],
        responses={
            200: paginated("PaginatedWebhookDeliveryList", DeliveryOutputSerializer),
            **ERRORS,
        },
    )
    def get(self, request: Request, endpoint_id: uuid.UUID) -> Response:
        _validated_query(request)
        endpoint = webhook_endpoint_get(
            integrator=request_integrator(request),
            livemode=request_livemode(request),
            endpoint_id=endpoint_id,
        )
        paginator = CreatedCursorPagination()
        page = (
            paginator.paginate_queryset(
                webhook_delivery_list(endpoint=endpoint), request, view=self
            )
            or []
        )
        return paginator.get_paginated_response([delivery_data(d) for d in page])


class WebhookRedeliverApi(APIView):
    @extend_schema(
        operation_id="webhook_deliveries_redeliver",
        request=None,
        parameters=[IDEMPOTENCY_HEADER],
        responses={202: DeliveryOutputSerializer, **ERRORS},
        description="Send the same event (same id and body) to the same endpoint again.",
    )
    def post(self, request: Request, delivery_id: uuid.UUID) -> Response:
        integrator = request_integrator(request)
        delivery = webhook_delivery_get(
            integrator=integrator, livemode=request_livemode(request), delivery_id=delivery_id
        )

        def redeliver() -> Response:
            again = webhook_delivery_redeliver(delivery=delivery)
            again = webhook_delivery_list(endpoint=delivery.endpoint).get(pk=again.pk)
            return Response(delivery_data(again), status=status.HTTP_202_ACCEPTED)

        return idempotent(request, integrator, redeliver)
