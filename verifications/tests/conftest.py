"""Fixtures of the verification engine tests: fake providers, outbound settings, breakers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kyb.outbound import breakers
from verifications.tests.fakes import FakeProvider, fake_provider


@pytest.fixture
def outbound_local(settings: Any) -> Any:
    """Let the outbound client reach the fake servers on 127.0.0.1; fast retries."""
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    settings.OUTBOUND_BACKOFF_FACTOR = 0.01
    settings.OUTBOUND_BACKOFF_MAX = 0.05
    return settings


@pytest.fixture
def provider(outbound_local: Any) -> Iterator[FakeProvider]:
    with fake_provider() as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_breakers() -> Iterator[None]:
    """Breakers are cached per process with the settings of their creation: rebuild per test."""
    breakers._breakers.clear()
    for name in ("gleif", "companies_house"):
        breakers.breaker_reset(name)  # a crashed earlier run may have left one open in Redis
    breakers._breakers.clear()
    yield
    for name in list(breakers._breakers):
        breakers.breaker_reset(name)
    breakers._breakers.clear()
