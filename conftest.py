"""Project-wide pytest fixtures. Tests run against the real PostgreSQL and Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache

# Each xdist worker gets its own cache namespace so parallel tests never see each other's keys
# (saleor's per-worker prefix), and clearing is scoped to that prefix.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
settings.CACHES["default"]["KEY_PREFIX"] = f"{settings.CACHES['default']['KEY_PREFIX']}-{_worker}"
# The rate-limit buckets and the key epoch live beside the cache under CACHE_KEY_PREFIX: one
# worker's revocation bumped the epoch another worker's test was holding still.
settings.CACHE_KEY_PREFIX = f"{settings.CACHE_KEY_PREFIX}-{_worker}"


def _clear_breakers() -> None:
    """The outbound circuit breakers' state: kept in Redis under this worker's prefix but
    outside django-redis's key format, so ``delete_pattern`` left it. One test's failed
    deliveries to hooks.example.com then counted towards another's, which saw "circuit breaker
    open" instead of its own error once the count reached the threshold."""
    from kyb.outbound import breakers

    breakers.breakers_forget()


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    _clear_breakers()  # also what an interrupted earlier run left
    yield
    cache.delete_pattern("*")  # type: ignore[attr-defined]  # django-redis extension
    _clear_breakers()


@pytest.fixture
def integrator(db):
    from merchants.tests.factories import IntegratorFactory

    return IntegratorFactory()


@pytest.fixture
def api_key(db: None) -> tuple[Any, str]:
    """(ApiKey, plaintext) with read and write scopes."""
    from merchants.tests.factories import api_key_with_secret

    return api_key_with_secret()


@pytest.fixture
def api(api_key: tuple[Any, str]) -> Any:
    """An ApiClient authenticated as a fresh integrator; schema-checks every response."""
    from kyb.tests.api_client import ApiClient

    client = ApiClient(api_key[1])
    client.integrator = api_key[0].integrator
    return client


@pytest.fixture
def other_api(db: None) -> Any:
    """A client of a second, unrelated integrator."""
    from kyb.tests.api_client import ApiClient
    from merchants.tests.factories import api_key_with_secret

    key, plaintext = api_key_with_secret()
    client = ApiClient(plaintext)
    client.integrator = key.integrator
    return client


@pytest.fixture
def root(db: None) -> Any:
    """A Django test client logged in as a superuser (the admin's ``root``)."""
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


@pytest.fixture
def staff_client(db: None) -> Any:
    """``staff_client(*codenames)``: a client logged in as staff holding only those permissions."""
    from django.contrib.auth.models import Permission, User
    from django.test import Client

    def make(*codenames: str, username: str = "staff") -> Client:
        user = User.objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
        user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _fresh_content_type_cache() -> None:
    """Every test starts with Django's per-process content-type cache empty. Some code clears
    it (creating permissions does), so without this a page's first request made one query more
    or not depending on which test ran before: query-count tests passed or failed by order."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
