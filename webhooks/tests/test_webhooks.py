"""Webhooks: endpoints API, emission with the state change, signed delivery to a real local
receiver, retries with backoff, redirects refused, rotation, redelivery, and the receiver that
docs/webhooks.md documents."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.utils import timezone

from kyb.tests.api_client import ApiClient
from merchants.tests.factories import MerchantFactory
from verifications.services import verification_create, verification_transition
from webhooks.models import WebhookDelivery, WebhookEvent
from webhooks.services import backoff_seconds, webhook_deliveries_dispatch_due
from webhooks.signing import signature_verify
from webhooks.tasks import deliver
from webhooks.tests.receiver import Receiver, webhook_receiver

pytestmark = pytest.mark.django_db
WEBHOOKS_DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


@pytest.fixture(autouse=True)
def _local_delivery(settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOK_REQUIRE_HTTPS = False


@pytest.fixture
def receiver() -> Any:
    with webhook_receiver() as r:
        yield r


def _endpoint(api: ApiClient, url: str, **extra: Any) -> dict[str, Any]:
    response = api.post_json("/api/v1/webhook-endpoints", {"url": url, **extra})
    assert response.status_code == 201, response.json()
    return dict(response.json())


def _deliver_all() -> list[str]:
    return [
        deliver.apply(kwargs={"delivery_id": str(d)}).get()
        for d in WebhookDelivery.objects.filter(status="pending").values_list("id", flat=True)
    ]


def test_endpoint_secret_is_shown_once_and_endpoints_are_tenant_scoped(
    api: ApiClient, other_api: ApiClient
) -> None:
    created = _endpoint(
        api, "https://hooks.example.com/kyb", event_types=["verification.completed"]
    )
    assert created["secret"].startswith("whsec_")
    fetched = api.get(f"/api/v1/webhook-endpoints/{created['id']}").json()
    assert "secret" not in fetched
    assert [e["id"] for e in api.get("/api/v1/webhook-endpoints").json()["data"]] == [created["id"]]
    assert other_api.get(f"/api/v1/webhook-endpoints/{created['id']}").status_code == 404
    assert other_api.delete(f"/api/v1/webhook-endpoints/{created['id']}").status_code == 404
    assert api.delete(f"/api/v1/webhook-endpoints/{created['id']}").status_code == 204
    assert api.get(f"/api/v1/webhook-endpoints/{created['id']}").status_code == 404


@pytest.mark.parametrize(
    ("url", "allow_private", "require_https", "code"),
    [
        ("http://127.0.0.1:8080/x", False, False, "forbidden_destination"),
        ("http://169.254.169.254/latest", True, False, "forbidden_destination"),
        ("http://hooks.example.com/x", False, True, "insecure_url"),
        ("https://user:pw@hooks.example.com/x", False, True, "invalid_url"),
    ],
)
def test_unsafe_endpoint_urls_are_refused(
    api: ApiClient, settings: Any, url: str, allow_private: bool, require_https: bool, code: str
) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = allow_private
    settings.WEBHOOK_REQUIRE_HTTPS = require_https
    response = api.post_json("/api/v1/webhook-endpoints", {"url": url})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_unknown_event_type_is_a_validation_error(api: ApiClient) -> None:
    response = api.post_json(
        "/api/v1/webhook-endpoints", {"url": "https://h.example.com", "event_types": ["x.y"]}
    )
    assert response.status_code == 400


def test_state_changes_are_delivered_signed_to_the_receiver(
    api: ApiClient, receiver: Receiver
) -> None:
    endpoint = _endpoint(api, receiver.url)
    merchant = MerchantFactory.create(integrator=api.integrator)
    verification = verification_create(merchant=merchant)
    verification_transition(verification_id=verification.id, to_status="processing")
    verification_transition(verification_id=verification.id, to_status="approved", reason="ok")
    assert sorted(_deliver_all()) == ["succeeded"] * 3

    types = [r.headers["KYB-Event-Type"] for r in receiver.requests]
    assert sorted(types) == [
        "verification.completed",
        "verification.created",
        "verification.updated",
    ]
    for request in receiver.requests:
        body = orjson.loads(request.body)
        assert body["id"] == request.headers["KYB-Event-Id"]
        assert body["data"]["id"] == str(verification.id)
        assert signature_verify(
            request.body, request.headers["KYB-Signature"], endpoint["secret"], now=int(time.time())
        )
        assert not signature_verify(
            request.body, request.headers["KYB-Signature"], "whsec_wrong", now=int(time.time())
        )


def test_failed_delivery_is_retried_with_backoff_and_the_same_event_id(
    api: ApiClient, receiver: Receiver
) -> None:
    _endpoint(api, receiver.url, event_types=["verification.created"])
    receiver.statuses = [500]
    verification_create(merchant=MerchantFactory.create(integrator=api.integrator))
    assert _deliver_all() == ["pending"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.last_status_code == 500
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert _deliver_all() == ["skipped"]  # not due yet: nothing sent
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhook_deliveries_dispatch_due() == 1
    assert _deliver_all() == ["succeeded"]
    first, second = receiver.requests
    assert first.headers["KYB-Event-Id"] == second.headers["KYB-Event-Id"]
    assert first.body == second.body
    log = api.get(f"/api/v1/webhook-endpoints/{delivery.endpoint_id}/deliveries").json()
    assert [a["status_code"] for a in log["data"][0]["log"]] == [500, 200]


def test_redirects_are_not_followed_and_attempts_run_out(
    api: ApiClient, receiver: Receiver, settings: Any
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    _endpoint(api, receiver.url, event_types=["verification.created"])
    receiver.statuses = [302, 302]
    verification_create(merchant=MerchantFactory.create(integrator=api.integrator))
    _deliver_all()
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert _deliver_all() == ["dead"]
    assert len(receiver.requests) == 2  # never the redirect target
    assert WebhookDelivery.objects.get().last_error == "HTTP 302"


def test_rotation_signs_with_both_secrets(api: ApiClient, receiver: Receiver) -> None:
    endpoint = _endpoint(api, receiver.url, event_types=["verification.created"])
    rotated = api.post(f"/api/v1/webhook-endpoints/{endpoint['id']}/rotate-secret").json()
    assert rotated["secret"] != endpoint["secret"] and rotated["rotating"] is True
    verification_create(merchant=MerchantFactory.create(integrator=api.integrator))
    _deliver_all()
    request = receiver.requests[0]
    header = request.headers["KYB-Signature"]
    assert header.count("v1=") == 2
    for secret in (endpoint["secret"], rotated["secret"]):
        assert signature_verify(request.body, header, secret, now=int(time.time()))


def test_manual_redelivery_sends_the_same_event_again(api: ApiClient, receiver: Receiver) -> None:
    endpoint = _endpoint(api, receiver.url, event_types=["verification.created"])
    verification_create(merchant=MerchantFactory.create(integrator=api.integrator))
    _deliver_all()
    delivery = WebhookDelivery.objects.get()
    response = api.post(f"/api/v1/webhook-deliveries/{delivery.id}/redeliver")
    assert response.status_code == 202
    assert response.json()["redelivery_of"] == str(delivery.id)
    _deliver_all()
    assert len({r.headers["KYB-Event-Id"] for r in receiver.requests}) == 1
    assert len(receiver.requests) == 2
    listed = api.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries").json()["data"]
    assert len(listed) == 2


def test_other_integrators_delivery_cannot_be_redelivered(
    api: ApiClient, other_api: ApiClient, receiver: Receiver
) -> None:
    _endpoint(api, receiver.url)
    verification_create(merchant=MerchantFactory.create(integrator=api.integrator))
    delivery = WebhookDelivery.objects.first()
    assert delivery is not None
    assert other_api.post(f"/api/v1/webhook-deliveries/{delivery.id}/redeliver").status_code == 404


def test_no_endpoint_no_event_and_merchant_updates_are_events(
    api: ApiClient, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    merchant = MerchantFactory.create(integrator=api.integrator)
    verification_create(merchant=merchant)
    assert not WebhookEvent.objects.exists()
    # The endpoint set is cached per integrator and invalidated on commit.
    with django_capture_on_commit_callbacks(execute=True):
        _endpoint(api, receiver.url, event_types=["merchant.updated"])
    api.patch_json(f"/api/v1/merchants/{merchant.id}", {"dba_name": "New"})
    assert _deliver_all() == ["succeeded"]
    assert orjson.loads(receiver.requests[0].body)["data"]["dba_name"] == "New"


def test_backoff_grows_and_is_capped(settings: Any) -> None:
    assert 24 <= backoff_seconds(1) <= 36
    assert backoff_seconds(20) <= 21_600 * 1.2
    nominal = [
        min(settings.WEBHOOK_BACKOFF_BASE * 2 ** (n - 1), settings.WEBHOOK_BACKOFF_MAX)
        for n in range(1, settings.WEBHOOK_MAX_ATTEMPTS)
    ]
    assert 20 * 3600 <= sum(nominal) <= 30 * 3600  # about a day of retries


def test_documented_receiver_verifies_a_real_delivery(api: ApiClient, receiver: Receiver) -> None:
    endpoint = _endpoint(api, receiver.url, event_types=["verification.created"])
    verification_create(merchant=MerchantFactory.create(integrator=api.integrator))
    _deliver_all()
    code = re.search(r"<!-- receiver -->\n```python\n(.*?)```", WEBHOOKS_DOC.read_text(), re.S)
    assert code, "docs/webhooks.md must carry the receiver snippet"
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)  # noqa: S102 - our own documented snippet
    request = receiver.requests[0]
    assert namespace["verify"](request.body, request.headers["KYB-Signature"], endpoint["secret"])
    assert not namespace["verify"](
        request.body + b" ", request.headers["KYB-Signature"], endpoint["secret"]
    )


def test_disabling_during_an_attempt_does_not_revive_the_delivery(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Operators disable endpoints that are slow or failing, i.e. while an attempt is in
    flight; that attempt's result used to write the stale ``pending`` back, and the delivery
    went on retrying the disabled endpoint for a day."""
    from kyb import outbound
    from webhooks import services
    from webhooks.models import WebhookEndpoint

    endpoint = _endpoint(api, "https://hooks.example.com/kyb", event_types=["verification.created"])
    verification_create(merchant=MerchantFactory.create(integrator=api.integrator))

    def disabled_meanwhile(*args: Any, **kwargs: Any) -> Any:
        services.webhook_endpoint_disable(endpoint=WebhookEndpoint.objects.get(pk=endpoint["id"]))
        raise outbound.OutboundError("timed out")

    monkeypatch.setattr(outbound, "request", disabled_meanwhile)  # what webhooks.services calls
    assert _deliver_all() == ["dead"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "dead" and delivery.attempts == 1
    assert (
        delivery.last_error.startswith("endpoint disabled") and "timed out" in delivery.last_error
    )


def test_a_delivery_created_for_a_disabled_endpoint_is_abandoned_unsent(
    api: ApiClient, receiver: Receiver
) -> None:
    from webhooks.models import WebhookEndpoint

    endpoint = _endpoint(api, receiver.url, event_types=["verification.created"])
    verification_create(merchant=MerchantFactory.create(integrator=api.integrator))
    # Disabled by a racing request after the delivery row was written, before it was claimed.
    WebhookEndpoint.objects.filter(pk=endpoint["id"]).update(disabled_at=timezone.now())
    assert _deliver_all() == ["skipped"]
    assert receiver.requests == []
    assert WebhookDelivery.objects.get().status == "dead"


def test_an_attempt_cut_by_the_task_time_limit_is_recorded_and_backed_off(
    api: ApiClient, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The soft time limit escaped the attempt: nothing recorded, no backoff, resent at each
    lease's end without limit (a receiver dripping its headers, in a QA fault run)."""
    from celery.exceptions import SoftTimeLimitExceeded

    from kyb import outbound
    from webhooks.services import TIMED_OUT

    def too_slow(*args: Any, **kwargs: Any) -> Any:
        raise SoftTimeLimitExceeded()

    _endpoint(api, receiver.url, event_types=["verification.created"])
    verification_create(merchant=MerchantFactory.create(integrator=api.integrator))
    monkeypatch.setattr(outbound, "request", too_slow)
    before = timezone.now()
    assert _deliver_all() == ["pending"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_error) == (1, TIMED_OUT)
    assert list(delivery.log.values_list("error", flat=True)) == [TIMED_OUT]
    assert delivery.next_attempt_at >= before + timedelta(seconds=0.8 * backoff_seconds(1) / 1.2)


def test_a_delivery_whose_last_attempt_went_unrecorded_dies_at_the_cap(
    api: ApiClient, receiver: Receiver, settings: Any
) -> None:
    from webhooks.services import UNRECORDED

    settings.WEBHOOK_MAX_ATTEMPTS = 2
    _endpoint(api, receiver.url, event_types=["verification.created"])
    verification_create(merchant=MerchantFactory.create(integrator=api.integrator))
    # Both attempts claimed, the last one's worker lost before it recorded anything; its lease
    # has run out.
    WebhookDelivery.objects.update(attempts=2, next_attempt_at=timezone.now())
    assert _deliver_all() == ["skipped"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == ("dead", UNRECORDED)
    assert receiver.requests == []


def test_one_breaker_per_receiving_host_and_port() -> None:
    """Keyed on the host alone, one integrator's dead receiver on a shared host opened the
    breaker for every endpoint there."""
    from webhooks.services import _receiver

    assert _receiver("http://127.0.0.1:8681/hook") != _receiver("http://127.0.0.1:8683/hook")
    assert _receiver("https://Hooks.Example.com/a") == _receiver("https://hooks.example.com:443/b")
    assert _receiver("http://hooks.example.com/a") == "hooks.example.com:80"


def test_attempts_an_open_breaker_refused_are_not_counted(
    api: ApiClient, receiver: Receiver, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused attempts counted towards WEBHOOK_MAX_ATTEMPTS: with the breaker open for a while,
    a delivery went dead having been sent once."""
    from kyb import outbound

    def refused(provider: str, func: Any) -> Any:
        raise outbound.CircuitOpen("circuit breaker open")

    settings.WEBHOOK_MAX_ATTEMPTS = 2
    _endpoint(api, receiver.url, event_types=["verification.created"])
    verification_create(merchant=MerchantFactory.create(integrator=api.integrator))
    monkeypatch.setattr(outbound, "breaker_guarded", refused)
    for _ in range(3):
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        assert _deliver_all() == ["pending"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 0
    assert delivery.last_error.startswith("not sent: circuit breaker open")
    assert delivery.next_attempt_at > timezone.now()
    assert not delivery.log.exists() and receiver.requests == []
    monkeypatch.undo()  # the breaker closes: the delivery goes out, as its first attempt
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert _deliver_all() == ["succeeded"]
    assert WebhookDelivery.objects.get().attempts == 1 and len(receiver.requests) == 1


def test_the_dispatcher_does_not_resend_a_delivery_still_queued(
    api: ApiClient, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every 15-s run re-sent each due delivery whose message still waited in the queue (a QA
    fault run saw 30 twice in a row after a worker restart)."""
    from webhooks import services

    sent: list[str] = []

    def enqueue(delivery_id: str) -> bool:
        sent.append(delivery_id)
        return True

    monkeypatch.setattr(services, "_enqueue", enqueue)
    _endpoint(api, receiver.url, event_types=["verification.created"])
    receiver.statuses = [500]
    verification_create(merchant=MerchantFactory.create(integrator=api.integrator))
    assert webhook_deliveries_dispatch_due() == 1
    assert webhook_deliveries_dispatch_due() == 0  # still queued: not sent again
    assert _deliver_all() == ["pending"]  # the receiver answers 500: a retry is scheduled
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhook_deliveries_dispatch_due() == 1  # the retry goes out on time
    assert len(sent) == 2


def test_deliveries_the_broker_refused_go_out_on_the_next_dispatch(
    api: ApiClient, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from webhooks import services

    _endpoint(api, receiver.url, event_types=["verification.created"])
    verification_create(merchant=MerchantFactory.create(integrator=api.integrator))
    monkeypatch.setattr(services, "_enqueue", lambda delivery_id: False)  # broker down
    assert webhook_deliveries_dispatch_due() == 0
    monkeypatch.setattr(services, "_enqueue", lambda delivery_id: True)  # back
    assert webhook_deliveries_dispatch_due() == 1
