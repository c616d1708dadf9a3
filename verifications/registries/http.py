"""JSON over the shared outbound client, under the provider's circuit breaker."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from kyb import outbound
from verifications.registries.base import ProviderUnavailable


def get_json(provider: str, url: str, *, headers: dict[str, str] | None = None) -> Any | None:
    """GET ``url``; the decoded body, or None for 404. Network errors, timeouts, 429 and 5xx
    count against the provider's breaker; any failure raises ``ProviderUnavailable``."""

    def fetch() -> outbound.OutboundResponse:
        try:
            response = outbound.request(
                "GET",
                url,
                headers={"Accept": "application/json", **(headers or {})},
                timeout=settings.REGISTRY_TIMEOUT,
                provider=provider,
            )
        except outbound.OutboundError as exc:
            raise outbound.ProviderFailure(str(exc)) from exc
        if response.status == 429 or response.status >= 500:
            raise outbound.ProviderFailure(f"HTTP {response.status}")
        return response

    try:
        response = outbound.breaker_call(provider, fetch)
    except (outbound.ProviderFailure, outbound.OutboundError) as exc:
        raise ProviderUnavailable(f"{provider}: {exc}") from exc
    if response.status == 404:
        return None
    if not response.ok:
        raise ProviderUnavailable(f"{provider}: HTTP {response.status}")
    try:
        return response.json()
    except ValueError as exc:
        raise ProviderUnavailable(f"{provider}: response is not JSON") from exc
