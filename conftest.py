"""Project-wide pytest fixtures. Tests run against the real PostgreSQL and Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache

# Each xdist worker gets its own cache namespace so parallel tests never see each other's keys
# (saleor's per-worker prefix), and clearing is scoped to that prefix.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
settings.CACHES["default"]["KEY_PREFIX"] = f"{settings.CACHES['default']['KEY_PREFIX']}-{_worker}"


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    yield
    cache.delete_pattern("*")  # type: ignore[attr-defined]  # django-redis extension


@pytest.fixture
def integrator(db):
    from merchants.tests.factories import IntegratorFactory

    return IntegratorFactory()
