"""Webhook findings of issue 12 (item 7): no resolved internal address in ``last_error``,
validated list queries, a cap on endpoints per integrator, and an attempt whose outcome could
not be recorded (database gone) recorded once it is back instead of re-sent after the lease."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError

from kyb.tests.api_client import ApiClient
from merchants.tests.factories import MerchantFactory
from verifications.services import verification_create
from webhooks import services
from webhooks.models import WebhookDelivery
from webhooks.tasks import deliver
from webhooks.tests.receiver import Receiver, webhook_receiver

pytestmark = pytest.mark.django_db
ENDPOINTS = "/api/v1/webhook-endpoints"


@pytest.fixture(autouse=True)
def _local_delivery(settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOK_REQUIRE_HTTPS = False


@pytest.fixture
def receiver() -> Any:
    with webhook_receiver() as r:
        yield r


def _endpoint(api: ApiClient, url: str) -> dict[str, Any]:
    response = api.post_json(ENDPOINTS, {"url": url, "event_types": ["verification.created"]})
    assert response.status_code == 201, response.json()
    return dict(response.json())


def _deliver_pending() -> list[str]:
    ids = WebhookDelivery.objects.filter(status="pending").values_list("id", flat=True)
    return [deliver.apply(kwargs={"delivery_id": str(d)}).get() for d in ids]


def test_a_refused_destination_does_not_show_the_address_it_resolved_to(
    api: ApiClient, receiver: Receiver, settings: Any
) -> None:
    endpoint = _endpoint(api, receiver.url.replace("127.0.0.1", "localhost"))
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False  # e.g. the name now points inside
    verification_create(merchant=MerchantFactory.create(integrator=api.integrator))
    assert _deliver_pending() == ["pending"]
    listed = api.get(f"{ENDPOINTS}/{endpoint['id']}/deliveries").json()["data"][0]
    shown = listed["last_error"] + " ".join(a["error"] for a in listed["log"])
    assert "127.0.0.1" not in shown and "::1" not in shown, shown
    assert "public internet address" in listed["last_error"]
    assert not receiver.requests


def test_addresses_in_network_errors_are_hidden() -> None:
    from kyb import outbound

    error = outbound.OutboundError("POST https://h.example/x: cannot connect to 10.1.2.3: refused")
    assert services.public_error(error) == (
        "POST https://h.example/x: cannot connect to [address]: refused"
    )
    assert "fd00::5" not in services.public_error(outbound.OutboundError("to [fd00::5]:443"))


def test_a_host_that_does_not_resolve_is_said_so() -> None:
    """Found by a QA pass: a typo in the host read "must point to a public internet address"."""
    from kyb import outbound

    shown = services.public_error(outbound.UnresolvableHost("no-such-host.example: no address"))
    assert shown == "The webhook URL's host name did not resolve."
    refused = services.public_error(outbound.BlockedDestination("10.0.0.1 is private"))
    assert "public internet address" in refused and "10.0.0.1" not in refused


@pytest.mark.parametrize(
    "query", ["limit=-1", "limit=0", "limit=abc", "limit=201", "cursor=", "cursor=%00", "x=1"]
)
def test_webhook_list_queries_are_validated(api: ApiClient, receiver: Receiver, query: str) -> None:
    endpoint = _endpoint(api, receiver.url)
    for path in (ENDPOINTS, f"{ENDPOINTS}/{endpoint['id']}/deliveries"):
        response = api.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query, response.content)
        assert response.json()["error"]["code"] == "validation_error"


def test_valid_list_queries_still_page(api: ApiClient, receiver: Receiver) -> None:
    _endpoint(api, receiver.url)
    _endpoint(api, receiver.url)
    first = api.get(f"{ENDPOINTS}?limit=1").json()
    assert len(first["data"]) == 1 and first["next"]
    assert len(api.get(first["next"]).json()["data"]) == 1


def test_endpoints_per_integrator_are_capped(
    api: ApiClient, other_api: ApiClient, receiver: Receiver, settings: Any
) -> None:
    settings.WEBHOOK_MAX_ENDPOINTS = 2
    first = _endpoint(api, receiver.url)
    _endpoint(api, receiver.url)
    refused = api.post_json(ENDPOINTS, {"url": receiver.url})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "endpoint_limit_reached"
    assert other_api.post_json(ENDPOINTS, {"url": receiver.url}).status_code == 201  # per tenant
    assert api.delete(f"{ENDPOINTS}/{first['id']}").status_code == 204
    assert api.post_json(ENDPOINTS, {"url": receiver.url}).status_code == 201


def test_an_attempt_is_recorded_when_the_database_returns_not_resent_after_the_lease(
    api: ApiClient, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    _endpoint(api, receiver.url)
    verification_create(merchant=MerchantFactory.create(integrator=api.integrator))
    real_record = services._record
    failures = iter([OperationalError("server closed the connection")] * 2)

    def record_after_an_outage(*args: Any) -> str:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return real_record(*args)

    monkeypatch.setattr(services, "_record", record_after_an_outage)
    monkeypatch.setattr(services, "RECORD_RETRY_DELAYS", (0.01, 0.01, 0.01))
    assert _deliver_pending() == ["succeeded"]
    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded" and delivery.attempts == 1
