"""OpenAPI pieces shared by every endpoint: the error envelope and common headers."""

from __future__ import annotations

import copy
from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from kyb.api.idempotency import KEY_PATTERN as IDEMPOTENCY_KEY_PATTERN


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="stable machine-readable code, e.g. validation_error")
    message = serializers.CharField()
    fields = serializers.DictField(  # type: ignore[assignment]  # the envelope's "fields" key
        required=False, help_text="per-field messages (400 only)"
    )


class ErrorEnvelopeSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorEnvelopeSerializer, description=description)


ERRORS = {
    400: _error("invalid input (validation_error, malformed_json, unknown fields)"),
    401: _error("missing, invalid or revoked API key (unauthenticated)"),
    403: _error("the key lacks the needed scope (forbidden)"),
    404: _error("no such object for this integrator (not_found)"),
    409: _error("conflict, e.g. merchant_exists"),
    413: _error("body over the size limit (payload_too_large)"),
    415: _error("body is not application/json (unsupported_media_type)"),
    422: _error("Idempotency-Key reused with a different request (idempotency_key_reused)"),
    429: _error("rate limit exceeded (rate_limited); see Retry-After"),
    503: _error("database unavailable (service_unavailable)"),
}

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
    location=OpenApiParameter.HEADER,
    required=False,
    description="Retry-safe creation: the same key and body within 24 h replay the first response.",
)


class ClassificationCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    description = serializers.CharField()
    confidence = serializers.FloatField()
    rank = serializers.IntegerField()


class ClassificationListSerializer(serializers.Serializer):
    """Latest codes per system for a merchant, each list by confidence (highest first)."""

    livemode = serializers.BooleanField(help_text="false for a sandbox merchant's codes")
    merchant_id = serializers.UUIDField()
    verification_id = serializers.UUIDField(allow_null=True)
    model_version = serializers.CharField(allow_null=True)
    naics = ClassificationCodeSerializer(many=True)
    sic = ClassificationCodeSerializer(many=True)
    mcc = ClassificationCodeSerializer(many=True)


def paginated(name: str, item: type[serializers.Serializer]) -> serializers.Serializer:
    """Schema of a cursor-paginated list: ``{"data": [...], "next", "previous"}``."""
    from drf_spectacular.utils import inline_serializer

    return inline_serializer(
        name,
        fields={
            "data": item(many=True),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
        },
    )


_INT = {"schema": {"type": "integer"}}
COMMON_HEADERS = {
    "API-Version": {
        "description": "API version of this response (v1)",
        "schema": {"type": "string"},
    },
    "X-RateLimit-Limit": {"description": "requests allowed per window for this key", **_INT},
    "X-RateLimit-Remaining": {"description": "requests left in the current window", **_INT},
    "X-RateLimit-Reset": {"description": "unix time when the window resets", **_INT},
}
STATUS_HEADERS = {
    "201": {
        "Location": {"description": "URL of the created resource", "schema": {"type": "string"}}
    },
    "202": {"Location": {"description": "URL to poll", "schema": {"type": "string"}}},
    "429": {"Retry-After": {"description": "seconds to wait", **_INT}},
    "503": {"Retry-After": {"description": "seconds to wait", **_INT}},
}


def add_json_value_component(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the ``JsonValue`` component that free-form JSON
    fields (``metadata``) refer to."""
    from kyb.api.serializers import JSON_VALUE_COMPONENT

    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["JsonValue"] = copy.deepcopy(JSON_VALUE_COMPONENT)
    return result


def require_constrained_bodies(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: a request body whose own rules refuse an empty one
    (``anyOf``/``oneOf``, e.g. ``merchant_id`` or ``merchant``; or required fields where the
    operation also takes other media types, e.g. a batch's JSON Lines) is required, which
    drf-spectacular cannot see (it requires a body only when a field of its one serializer is
    required)."""
    components = result.get("components", {}).get("schemas", {})
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            for media in operation["requestBody"].get("content", {}).values():
                ref = media.get("schema", {}).get("$ref", "")
                body = components.get(ref.rsplit("/", 1)[-1], {})
                if "anyOf" in body or "oneOf" in body or body.get("required"):
                    operation["requestBody"]["required"] = True
    return result


def add_response_headers(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: document the headers every v1 response carries."""
    for path, item in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in item.values():
            for status, response in operation.get("responses", {}).items():
                headers = response.setdefault("headers", {})
                headers.update(COMMON_HEADERS)
                headers.update(STATUS_HEADERS.get(status, {}))
    return result
