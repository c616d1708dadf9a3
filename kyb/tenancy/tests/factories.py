"""factory_boy factories for integrators and API keys."""

from __future__ import annotations

from typing import Any

import factory

from kyb.api.keys import api_key_generate
from kyb.tenancy.models import ApiKey, Integrator


class IntegratorFactory(factory.django.DjangoModelFactory[Integrator]):
    class Meta:
        model = Integrator
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Integrator {n}")


class ApiKeyFactory(factory.django.DjangoModelFactory[ApiKey]):
    """Builds a key; ``api_key_with_secret`` also returns the plaintext for tests."""

    class Meta:
        model = ApiKey

    integrator = factory.SubFactory(IntegratorFactory)
    name = "test key"
    scopes = factory.LazyFunction(lambda: ["read", "write"])
    prefix = factory.Sequence(lambda n: f"t{n:07d}")
    key_hash = factory.Sequence(lambda n: f"{n:064d}")


def api_key_with_secret(**kwargs: Any) -> tuple[ApiKey, str]:
    """Create an ApiKey the way the service does and return it with its plaintext."""
    new = api_key_generate()
    key = ApiKeyFactory.create(prefix=new.prefix, key_hash=new.key_hash, **kwargs)
    return key, new.plaintext
