"""``GET /api/v1/``: what this API offers, read from the URL map so it never drifts from it.

Public (no key): it names resources, not data, and is the first thing a new integrator tries.
"""

from __future__ import annotations

import re
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

PREFIX = "/api/v1/"
_CONVERTER = re.compile(r"<(?:[^:>]+:)?([^>]+)>")
_HIDDEN_METHODS = frozenset({"head", "options", "trace"})


class ApiResourceSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="URL path; {name} marks a path parameter")
    methods = serializers.ListField(child=serializers.CharField())


class ApiIndexSerializer(serializers.Serializer):
    version = serializers.CharField()
    resources = ApiResourceSerializer(many=True)
    schema = serializers.CharField(help_text="OpenAPI 3 document")
    docs = serializers.CharField(help_text="Swagger UI")


def _methods(pattern: URLPattern) -> list[str]:
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is None:
        return []
    names = [m for m in view_class.http_method_names if m not in _HIDDEN_METHODS]
    return [m.upper() for m in names if hasattr(view_class, m)]


def _walk(patterns: list[Any], prefix: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for pattern in patterns:
        route = _CONVERTER.sub(r"{\1}", str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            found.extend(_walk(pattern.url_patterns, prefix + route))
        elif isinstance(pattern, URLPattern) and route and (methods := _methods(pattern)):
            found.append({"path": prefix + route, "methods": methods})
    return found


def api_v1_resources() -> list[dict[str, Any]]:
    """Every routed v1 path with its methods, in URL-map order."""
    resolver = get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver) and str(pattern.pattern) == PREFIX.lstrip("/"):
            return _walk(pattern.url_patterns, PREFIX)
    return []


class ApiIndexApi(APIView):
    """The v1 index: every resource path and its methods, plus where the schema lives."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes: list[type] = []

    @extend_schema(operation_id="api_index", responses={200: ApiIndexSerializer}, auth=[])
    def get(self, request: Request) -> Response:
        return Response(
            {
                "version": "v1",
                "resources": api_v1_resources(),
                "schema": "/api/schema/",
                "docs": "/api/docs/",
            }
        )
