"""Self-service API keys: ``/api/v1/api-keys`` for a key with the ``admin`` scope.

Create (the key is in the answer once, never again), list (prefix, name, scopes, last use,
revocation) and revoke; each write is audited in ``api_key_events``. Keys are addressed by
their prefix, the part a human sees. ``Idempotency-Key`` is not honoured on create: a replay
would need the new key stored in clear; a retried create makes a second key (revoke it).

Modes (docs/sandbox.md): ``"livemode": false`` on create makes a sandbox key; without it the
new key has the caller's mode. A live admin key manages the keys of both modes; a sandbox admin
key sees and creates sandbox keys only (a sandbox key never leads to live data).
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kyb.api.auth import request_integrator, request_livemode
from kyb.api.pagination import CreatedCursorPagination
from kyb.api.schema import ERRORS, paginated
from kyb.api.serializers import PageQuerySerializer, StrictSerializer, query_validated
from kyb.errors import NotFound
from kyb.formats import iso_utc
from kyb.tenancy.models import ApiKey, ApiKeyScope, Integrator
from kyb.tenancy.services import api_key_create, api_key_revoke

# A prefix as keys are written (printable ASCII, at most the column's 16 characters).
_PREFIX = re.compile(r"[!-~]{1,16}")


class HasAdminScope(BasePermission):
    """Every method here needs the ``admin`` scope (``read``/``write`` do not grant it)."""

    message = "Managing API keys needs a key with the admin scope."

    def has_permission(self, request: Request, view: Any) -> bool:
        key = request.auth
        return isinstance(key, ApiKey) and ApiKeyScope.ADMIN in key.scopes


class ApiKeyCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    livemode = serializers.BooleanField(
        required=False,
        help_text="false: a sandbox key (docs/sandbox.md); absent: the calling key's mode. "
        "A sandbox key can create sandbox keys only.",
    )
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=ApiKeyScope.values),
        allow_empty=False,
        default=["read", "write"],
    )


class ApiKeyOutputSerializer(serializers.Serializer[Any]):
    prefix = serializers.CharField(help_text="the key's visible part; its id in URLs")
    livemode = serializers.BooleanField(help_text="false for a sandbox key")
    name = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class ApiKeyCreatedSerializer(ApiKeyOutputSerializer):
    key = serializers.CharField(help_text="the secret: shown in this answer only")


def api_key_data(key: ApiKey) -> dict[str, Any]:
    return {
        "prefix": key.prefix,
        "livemode": key.livemode,
        "name": key.name,
        "scopes": list(key.scopes),
        "created_at": iso_utc(key.created_at),
        "last_used_at": iso_utc(key.last_used_at) if key.last_used_at else None,
        "revoked_at": iso_utc(key.revoked_at) if key.revoked_at else None,
    }


def _actor(request: Request) -> str:
    key = request.auth
    return f"api_key:{key.prefix}" if isinstance(key, ApiKey) else "api"


def api_keys_of(integrator: Integrator, *, livemode: bool = True) -> QuerySet[ApiKey]:
    """The keys a caller of this mode manages: a live key all of them, a sandbox key the
    sandbox ones."""
    keys = ApiKey.objects.filter(integrator=integrator)
    return keys if livemode else keys.filter(livemode=False)


class ApiKeyListCreateApi(APIView):
    permission_classes = [HasAdminScope]

    @extend_schema(
        operation_id="api_keys_list",
        parameters=[PageQuerySerializer],
        responses={200: paginated("PaginatedApiKeyList", ApiKeyOutputSerializer), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        # ?limit=abc, ?limit=0 and ?foo=1 were a 200 here, a 400 on every other list (a QA pass).
        query_validated(PageQuerySerializer, request.query_params.dict())
        paginator = CreatedCursorPagination()
        keys = api_keys_of(request_integrator(request), livemode=request_livemode(request))
        page = paginator.paginate_queryset(keys, request, view=self) or []
        return paginator.get_paginated_response([api_key_data(k) for k in page])

    @extend_schema(
        operation_id="api_keys_create",
        request=ApiKeyCreateSerializer,
        responses={201: ApiKeyCreatedSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        payload = ApiKeyCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        caller_live = request_livemode(request)
        livemode = payload.validated_data.get("livemode", caller_live)
        if livemode and not caller_live:
            raise exceptions.PermissionDenied("A sandbox key can create sandbox keys only.")
        key, new = api_key_create(
            integrator=request_integrator(request),
            scopes=payload.validated_data["scopes"],
            name=payload.validated_data["name"],
            actor=_actor(request),
            livemode=livemode,
        )
        return Response(
            {**api_key_data(key), "key": new.plaintext},
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/api-keys/{key.prefix}", "Cache-Control": "no-store"},
        )


class ApiKeyDetailApi(APIView):
    permission_classes = [HasAdminScope]

    @staticmethod
    def _key(request: Request, prefix: str) -> ApiKey:
        if not _PREFIX.fullmatch(prefix):
            # No key has it; a NUL byte would otherwise fail in PostgreSQL as a 500.
            raise NotFound("not_found", "API key not found.")
        keys = api_keys_of(request_integrator(request), livemode=request_livemode(request))
        key = keys.filter(prefix=prefix).first()
        if key is None:
            raise NotFound("not_found", "API key not found.")
        return key

    @extend_schema(
        operation_id="api_keys_retrieve", responses={200: ApiKeyOutputSerializer, **ERRORS}
    )
    def get(self, request: Request, prefix: str) -> Response:
        return Response(api_key_data(self._key(request, prefix)))

    @extend_schema(
        operation_id="api_keys_revoke",
        description="Revoke the key (also the one making this call); kept for audit.",
        responses={200: ApiKeyOutputSerializer, **ERRORS},
    )
    def delete(self, request: Request, prefix: str) -> Response:
        key = api_key_revoke(key=self._key(request, prefix), actor=_actor(request))
        return Response(api_key_data(key))
