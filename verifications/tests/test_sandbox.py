"""The sandbox: each documented magic value produces its outcome through the real pipeline (the
Celery task code, ``.apply()``), and nothing leaves the process while sandbox runs do their work:
the registry APIs and the merchant's website point at a local server that must receive no
request, and the pooled client and every socket connect refuse to be used."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import orjson
import pytest
from django.utils import timezone
from urllib3.util import connection as u3connection

from kyb.outbound import client as outbound_client
from merchants.models import Merchant
from merchants.serializers import merchant_input_clean
from merchants.services import merchant_create
from merchants.tests.factories import IntegratorFactory
from verifications import tasks
from verifications.models import BusinessVerification
from verifications.pipeline import verification_retry
from verifications.sandbox import scenarios
from verifications.services import verification_create
from verifications.tests.fakes import FakeProvider, Reply
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create
from webhooks.tasks import deliver
from webhooks.tests.receiver import webhook_receiver

pytestmark = pytest.mark.django_db


@contextmanager
def no_outbound(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every way out of the process refuses, and records that it was tried."""
    tried: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        tried.append(repr(args)[:200])
        raise AssertionError(f"outbound connection attempted: {args!r}")

    with monkeypatch.context() as patch:
        patch.setattr(outbound_client, "pool_manager", refuse)
        patch.setattr(u3connection, "create_connection", refuse)
        yield tried


@pytest.fixture
def world(provider: FakeProvider, settings: Any) -> FakeProvider:
    """A live configuration that WOULD call out: GLEIF and Companies House at the local fake
    server, which answers everything; a sandbox run must leave it untouched."""
    settings.REGISTRY_ADAPTERS = ["local", "gleif", "companies_house"]
    settings.GLEIF_API_URL = provider.url
    settings.COMPANIES_HOUSE_API_URL = provider.url
    settings.COMPANIES_HOUSE_API_KEY = "test-key"
    provider.route_prefix("/", lambda seen: Reply.json({"data": []}))
    return provider


def _sandbox_merchant(world: FakeProvider, **fields: Any) -> Merchant:
    data = {
        "legal_name": "Sandbox Approved Ltd",
        "country": "GB",
        "registration_number": "09446231",
        "website": world.url + "/",
        "description": "",
        **fields,
    }
    return merchant_create(
        integrator=IntegratorFactory.create(), fields=merchant_input_clean(data), livemode=False
    )


def _submit_and_run(
    world: FakeProvider, monkeypatch: pytest.MonkeyPatch, **fields: Any
) -> BusinessVerification:
    verification = verification_create(merchant=_sandbox_merchant(world, **fields))
    assert verification.livemode is False and verification.input_snapshot["livemode"] is False
    with no_outbound(monkeypatch) as tried:
        tasks.run.apply(kwargs={"verification_id": str(verification.id)}, task_id="t1")
    assert tried == [] and world.requests == []
    verification.refresh_from_db()
    return verification


def _reasons(verification: BusinessVerification) -> set[str]:
    return {r["code"] for r in verification.risk_reasons}


def test_an_ordinary_sandbox_merchant_is_approved_from_recordings(
    world: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    verification = _submit_and_run(world, monkeypatch)
    assert verification.status == "approved", verification.risk_reasons
    registry = verification.checks["registry"]
    assert registry["status"] == "success" and registry["source"] == "companies_house"
    record = registry["evidence"]["record"]
    assert record["legal_name"] == "Sandbox Approved Ltd" and record["active"] is True
    assert record["identifier"] == "09446231"
    sanctions = verification.checks["sanctions"]
    assert sanctions["status"] == "success"  # screened, against the recorded list
    assert sanctions["evidence"]["lists"] == ["ofac_sdn:OFAC SDN (sandbox recording, 4 entries)"]
    website = verification.checks["website"]
    assert website["evidence"]["name_found"] is True and website["evidence"]["status"] == 200


@pytest.mark.parametrize(
    "fields",
    [
        {"legal_name": scenarios.SANCTIONED_NAMES[0]},
        {"people": [{"name": scenarios.SANCTIONED_NAMES[1], "role": "director"}]},
    ],
)
def test_a_name_on_the_recorded_list_goes_to_review_with_a_sanctions_hit(
    world: FakeProvider, monkeypatch: pytest.MonkeyPatch, fields: dict[str, Any]
) -> None:
    verification = _submit_and_run(world, monkeypatch, **fields)
    assert verification.status == "in_review", verification.risk_reasons
    assert verification.checks["sanctions"]["status"] == "failure"
    assert "sanctions_match" in _reasons(verification)


def test_rejected_token_the_register_says_dissolved(
    world: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    verification = _submit_and_run(world, monkeypatch, legal_name="Rejected Trading Ltd")
    assert verification.status == "rejected"
    assert "registry_inactive" in _reasons(verification)
    assert verification.checks["registry"]["evidence"]["record"]["status"] == "dissolved"
    # Without a GB company number the register asked is GLEIF: the entity is INACTIVE there.
    by_name = _submit_and_run(
        world, monkeypatch, legal_name="Rejected Trading SA", country="FR", registration_number=""
    )
    assert by_name.status == "rejected"
    assert by_name.checks["registry"]["evidence"]["record"]["status"] == "INACTIVE"


def test_unregistered_token_no_register_knows_the_business(
    world: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    verification = _submit_and_run(world, monkeypatch, legal_name="Unregistered Trading Ltd")
    assert verification.status == "in_review"
    assert "registry_not_found" in _reasons(verification)
    lookups = verification.checks["registry"]["evidence"]["lookups"]
    assert [(x["provider"], x["found"]) for x in lookups] == [
        ("companies_house", False),
        ("gleif", False),
    ]


@pytest.mark.parametrize("mcc", scenarios.MCC_PAGES)
def test_mcc_token_makes_the_classifier_predict_that_mcc(
    world: FakeProvider, monkeypatch: pytest.MonkeyPatch, mcc: str
) -> None:
    verification = _submit_and_run(world, monkeypatch, description=f"mcc_{mcc}")
    predicted = verification.checks["industry"]["evidence"]["predicted"]["mcc"]
    assert predicted[0]["code"] == mcc, predicted[:3]
    expected = "in_review" if mcc == "7995" else "approved"  # betting is high-risk
    assert verification.status == expected, verification.risk_reasons


def test_flaky_token_errors_on_the_first_run_and_succeeds_on_retry(
    world: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    verification = _submit_and_run(world, monkeypatch, legal_name="Flaky Trading Ltd")
    assert verification.status == "error"
    assert verification.error_reason == "time limit exceeded while running checks"
    verification_retry(verification_id=verification.id)  # what ops' retry does
    with no_outbound(monkeypatch) as tried:
        tasks.run.apply(kwargs={"verification_id": str(verification.id)}, task_id="t2")
    assert tried == [] and world.requests == []
    verification.refresh_from_db()
    assert verification.status == "approved"
    # A new verification of the same merchant is a retry as well: it is not the first run.
    again = verification_create(merchant=verification.merchant)
    with no_outbound(monkeypatch):
        tasks.run.apply(kwargs={"verification_id": str(again.id)}, task_id="t3")
    again.refresh_from_db()
    assert again.status == "approved"


def test_webhookfail_token_fails_the_first_attempt_unsent_and_the_retry_delivers(
    world: FakeProvider, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.WEBHOOK_REQUIRE_HTTPS = False
    with webhook_receiver() as receiver:
        merchant = _sandbox_merchant(world, legal_name="Webhookfail Trading Ltd")
        webhook_endpoint_create(integrator=merchant.integrator, url=receiver.url, livemode=False)
        verification = verification_create(merchant=merchant)
        delivery = WebhookDelivery.objects.get(event__type="verification.created")
        assert delivery.event.livemode is False and delivery.event.simulated_failures == 1
        assert deliver.apply(kwargs={"delivery_id": str(delivery.id)}).get() == "pending"
        delivery.refresh_from_db()
        assert receiver.requests == []  # the failed attempt was never sent
        assert delivery.attempts == 1 and delivery.last_status_code is None
        assert delivery.last_error.startswith("sandbox: simulated delivery failure 1 of 1")
        assert delivery.next_attempt_at > timezone.now()  # retried on the live schedule
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )
        assert deliver.apply(kwargs={"delivery_id": str(delivery.id)}).get() == "succeeded"
        assert len(receiver.requests) == 1
        body = orjson.loads(receiver.requests[0].body)
        assert body["livemode"] is False and body["data"]["livemode"] is False
        assert body["data"]["id"] == str(verification.id)


def test_live_endpoints_get_no_sandbox_events_and_sandbox_ones_no_live_events(
    world: FakeProvider, django_capture_on_commit_callbacks: Any
) -> None:
    merchant = _sandbox_merchant(world)
    webhook_endpoint_create(integrator=merchant.integrator, url="https://live.example.com/h")
    verification_create(merchant=merchant)
    assert not WebhookDelivery.objects.exists()  # only a live endpoint: nothing for it
    with django_capture_on_commit_callbacks(execute=True):  # the endpoint cache's invalidation
        webhook_endpoint_create(
            integrator=merchant.integrator, url="https://sandbox.example.com/h", livemode=False
        )
    verification_create(merchant=merchant)
    urls = set(WebhookDelivery.objects.values_list("endpoint__url", flat=True))
    assert urls == {"https://sandbox.example.com/h"}


def test_live_runs_still_use_the_network(
    world: FakeProvider, settings: Any, outbound_local: Any
) -> None:
    """The control: the same merchant in live mode does call the configured register."""
    settings.REGISTRY_ADAPTERS = ["gleif"]
    merchant = merchant_create(
        integrator=IntegratorFactory.create(),
        fields=merchant_input_clean({"legal_name": "Sandbox Approved Ltd", "country": "GB"}),
    )
    verification = verification_create(merchant=merchant)
    tasks.run.apply(kwargs={"verification_id": str(verification.id)}, task_id="t1")
    assert any(r.path.startswith("/lei-records") for r in world.requests)


def test_the_review_queue_shows_live_cases_unless_asked_for_sandbox_ones(
    world: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from verifications.review_selectors import review_queue_stats

    sandbox_case = _submit_and_run(world, monkeypatch, legal_name="Unregistered Trading Ltd")
    assert sandbox_case.status == "in_review"
    analyst = User.objects.create_user("ana", password="unused-pw-1234", is_staff=True)
    analyst.groups.set(Group.objects.filter(name="analyst"))
    client = Client()
    client.force_login(analyst)
    queue = "/admin/verifications/businessverification/"
    assert str(sandbox_case.pk)[:8] not in client.get(queue).content.decode()
    sandboxed = client.get(queue + "?mode=sandbox").content.decode()
    assert str(sandbox_case.pk)[:8] in sandboxed and "sandbox" in sandboxed
    assert review_queue_stats()["waiting"] == 0


def test_ongoing_monitoring_of_live_lists_leaves_sandbox_merchants_alone(
    world: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verifications.monitoring import monitored_merchants

    sandbox_case = _submit_and_run(world, monkeypatch)
    assert sandbox_case.status == "approved"
    live = merchant_create(
        integrator=sandbox_case.merchant.integrator,
        fields=merchant_input_clean({"legal_name": "Live Ltd", "country": "GB"}),
    )
    live_v = verification_create(merchant=live)
    BusinessVerification.objects.filter(pk=live_v.pk).update(status="approved")
    assert [m.id for m in monitored_merchants()] == [live.id]


def test_a_manual_redelivery_of_a_webhookfail_event_is_sent_at_once(
    world: FakeProvider, settings: Any
) -> None:
    from webhooks.services import webhook_delivery_redeliver

    settings.WEBHOOK_REQUIRE_HTTPS = False
    with webhook_receiver() as receiver:
        merchant = _sandbox_merchant(world, legal_name="Webhookfail Trading Ltd")
        webhook_endpoint_create(integrator=merchant.integrator, url=receiver.url, livemode=False)
        verification_create(merchant=merchant)
        delivery = WebhookDelivery.objects.get()
        assert deliver.apply(kwargs={"delivery_id": str(delivery.id)}).get() == "pending"
        again = webhook_delivery_redeliver(delivery=delivery)
        assert deliver.apply(kwargs={"delivery_id": str(again.id)}).get() == "succeeded"
        assert len(receiver.requests) == 1
