"""``Authorization: Bearer <key>`` authentication; the request's integrator is the tenant."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from kyb.api.keys import api_key_hash
from merchants.models import ApiKey, ApiKeyScope, Integrator

# last_used_at is written at most this often per key, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyAuthentication(BaseAuthentication):
    """Resolves the bearer key to its ApiKey; ``request.auth`` is the ApiKey."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiKey] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        try:
            plaintext = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Malformed API key.") from exc
        key = (
            ApiKey.objects.select_related("integrator")
            .filter(key_hash=api_key_hash(plaintext), revoked_at__isnull=True)
            .first()
        )
        if key is None or not key.integrator.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        self._touch(key)
        return (key.integrator, key)

    def authenticate_header(self, request: Request) -> str:
        return self.keyword

    @staticmethod
    def _touch(key: ApiKey) -> None:
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now


class HasApiKeyScope(BasePermission):
    """Reads need the ``read`` scope, everything else ``write``."""

    message = "This API key lacks the scope this operation needs."

    def has_permission(self, request: Request, view: Any) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return False
        needed = ApiKeyScope.READ if request.method in SAFE_METHODS else ApiKeyScope.WRITE
        return needed in key.scopes


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describes the bearer API key in the OpenAPI schema."""

    target_class = "kyb.api.auth.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from `manage.py create_api_key`: `Bearer kyb_…`.",
        }


def request_integrator(request: Request) -> Integrator:
    """The tenant of an authenticated API request (views run only after authentication)."""
    key = request.auth
    if not isinstance(key, ApiKey):
        raise exceptions.NotAuthenticated()
    return key.integrator
