"""Business-register adapters behind one interface (``base.RegistryAdapter``).

``REGISTRY_ADAPTERS`` lists them in the order tried: ``local`` (offline table, the default),
``gleif`` (GLEIF API), ``companies_house`` (UK Companies House API, needs a key); ``stalled``
(never answers: demos and drills of the failure path only).
"""

from __future__ import annotations

from django.conf import settings

from verifications.registries import companies_house, gleif
from verifications.registries.base import (
    Lookup,
    ProviderUnavailable,
    RegistryAdapter,
    RegistryRecord,
)
from verifications.registries.companies_house import CompaniesHouseAdapter
from verifications.registries.gleif import GleifAdapter
from verifications.registries.local import LocalRegistryAdapter
from verifications.registries.stalled import StalledRegistryAdapter

ADAPTERS: dict[str, type[RegistryAdapter]] = {
    "local": LocalRegistryAdapter,
    "gleif": GleifAdapter,
    "companies_house": CompaniesHouseAdapter,
    "stalled": StalledRegistryAdapter,
}

# The providers called over the network, each behind its circuit breaker (kyb.outbound).
BREAKER_PROVIDERS: tuple[str, ...] = (gleif.PROVIDER, companies_house.PROVIDER)


def configured_adapters() -> list[RegistryAdapter]:
    """The adapters named in ``REGISTRY_ADAPTERS``, in order (unknown names are an error)."""
    unknown = [name for name in settings.REGISTRY_ADAPTERS if name not in ADAPTERS]
    if unknown:
        raise ValueError(f"unknown REGISTRY_ADAPTERS: {', '.join(unknown)}")
    return [ADAPTERS[name]() for name in settings.REGISTRY_ADAPTERS]


__all__ = [
    "ADAPTERS",
    "BREAKER_PROVIDERS",
    "Lookup",
    "ProviderUnavailable",
    "RegistryAdapter",
    "RegistryRecord",
    "configured_adapters",
]
