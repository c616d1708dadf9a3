"""``Authorization: Bearer <key>`` authentication; the request's integrator is the tenant."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from kyb.api.keyring import epoch_key, key_confirm, key_instance, key_resolve, key_touch
from kyb.api.ratelimit import rate_limit_call
from kyb.cache import resource_owner
from kyb.tenancy.models import ApiKey, ApiKeyScope, Integrator


class ApiKeyAuthentication(BaseAuthentication):
    """Resolves the bearer key to its ApiKey; ``request.auth`` is the ApiKey.

    The key comes from the process's key ring (``kyb.api.keyring``), confirmed against the key
    epoch that the rate-limit call reads in the same Redis round trip: an authenticated request
    makes no PostgreSQL query for its key and one Redis call for key, epoch and rate limit."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiKey] | None:
        plaintext = bearer_key(get_authorization_header(request))
        if plaintext is None:
            return None
        key_hash, info = key_resolve(plaintext)
        if info is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        decision = rate_limit_call(
            key_id=info.prefix,
            limit=settings.API_RATE_LIMIT,
            window=settings.API_RATE_WINDOW,
            epoch_key=epoch_key(),
            cache=None,
        )
        info = key_confirm(key_hash, info, decision.key_epoch if decision else None)
        if info is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        if decision is not None:
            request._request.kyb_rate_decision = decision  # type: ignore[attr-defined]
        key_touch(info)
        key = key_instance(info)
        return (key.integrator, key)

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


def bearer_key(header: bytes) -> str | None:
    """The key in ``Authorization: Bearer <key>``; ``None`` without a bearer header."""
    parts = header.split()
    if not parts or parts[0].lower() != b"bearer":
        return None
    if len(parts) != 2:
        raise exceptions.AuthenticationFailed("Malformed Authorization header.")
    try:
        return parts[1].decode()
    except UnicodeError as exc:
        raise exceptions.AuthenticationFailed("Malformed API key.") from exc


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


def request_livemode(request: Request) -> bool:
    """``False`` for a request made with a sandbox key: it sees and creates sandbox objects
    only (docs/sandbox.md)."""
    return bool(getattr(request.auth, "livemode", True))


def request_owner(request: Request) -> str:
    """The owner string of the request's tenant and mode (``kyb.cache.resource_owner``)."""
    return resource_owner(request_integrator(request).pk, request_livemode(request))
