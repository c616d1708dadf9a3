"""Per-destination breakers for website fetches and webhook deliveries (issue 16)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from kyb import outbound
from kyb.outbound import breakers

DEAD = "http://127.0.0.1:1/"  # nothing listens on port 1: connection refused at once


@pytest.fixture
def destination(settings: Any) -> Iterator[str]:
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    settings.OUTBOUND_BREAKER_FAIL_MAX = 2
    settings.OUTBOUND_BACKOFF_FACTOR = 0.01
    key = f"website:dead-{uuid.uuid4().hex[:8]}.example"
    yield key
    breakers.breaker_reset(key)
    breakers._breakers.pop(key, None)


def test_network_failures_open_the_destinations_breaker_then_calls_fail_fast(
    destination: str,
) -> None:
    calls = []

    def fetch() -> Any:
        calls.append(1)
        return outbound.request("GET", DEAD, retries=0, provider="website")

    with pytest.raises(outbound.OutboundError) as first:
        outbound.breaker_guarded(destination, fetch)
    assert not isinstance(first.value, outbound.CircuitOpen)  # the real error, as it was
    with pytest.raises(outbound.OutboundError) as second:
        outbound.breaker_guarded(destination, fetch)  # the second failure trips it
    # It reports its own failure: a webhook attempt that timed out read "circuit breaker open"
    # with its whole duration (a QA fault run).
    assert not isinstance(second.value, outbound.CircuitOpen)
    assert "circuit breaker" not in str(second.value)
    with pytest.raises(outbound.CircuitOpen):
        outbound.breaker_guarded(destination, fetch)
    assert len(calls) == 2  # the third was not attempted
    assert breakers.open_counts(["website"])["website"] >= 1


def test_a_refused_destination_is_an_answer_not_a_failing_destination(
    destination: str, settings: Any
) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    for _ in range(3):
        with pytest.raises(outbound.BlockedDestination):
            outbound.breaker_guarded(
                destination, lambda: outbound.request("GET", DEAD, provider="website")
            )
    assert breakers.breaker_state(destination) == "closed"


@pytest.mark.django_db
def test_metrics_count_open_destination_breakers_and_closing_one_uncounts_it(
    destination: str, client: Client
) -> None:
    fetch = lambda: outbound.request("GET", DEAD, retries=0, provider="website")  # noqa: E731
    for _ in range(2):
        with pytest.raises(outbound.OutboundError):
            outbound.breaker_guarded(destination, fetch)
    before = breakers.open_counts(["website"])["website"]
    body = client.get("/metrics").content.decode()
    line = next(
        x
        for x in body.splitlines()
        if x.startswith('kyb_outbound_breakers_open{provider="website"}')
    )
    assert float(line.split()[-1]) >= 1
    breakers.breaker_reset(destination)
    assert breakers.open_counts(["website"])["website"] == before - 1
