"""The event registry: publishers import no subscriber, payloads are rendered only on demand,
subscribers run inside the publisher's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import pytest
from django.db import transaction

from kyb import events
from merchants.services import merchant_update
from merchants.tests.factories import MerchantFactory
from webhooks.models import WebhookEvent
from webhooks.services import webhook_endpoint_create


def test_a_lazy_payload_is_rendered_only_by_a_subscriber_that_asks() -> None:
    rendered: list[int] = []
    seen: list[str] = []

    def payload() -> dict[str, int]:
        rendered.append(1)
        return {"n": 1}

    def type_only(event: events.Event) -> None:
        seen.append(event.type)

    events.subscribe(type_only)
    try:
        events.publish("thing.happened", integrator_id=uuid.uuid4(), payload=payload)
    finally:
        events.unsubscribe(type_only)
    assert seen == ["thing.happened"] and rendered == []


@pytest.mark.django_db
def test_counts_reported_by_subscribers_are_merged() -> None:
    def one(event: events.Event) -> Mapping[str, int]:
        return {"a": 1}

    def two(event: events.Event) -> Mapping[str, int]:
        return {"b": len(event.redact_ids)}

    events.subscribe(one)
    events.subscribe(two)
    events.subscribe(one)  # idempotent
    try:
        counts = events.publish(
            "x.erased", integrator_id=uuid.uuid4(), payload={}, redact_ids=("p", "q")
        )
    finally:
        events.unsubscribe(one)
        events.unsubscribe(two)
    assert counts["a"] == 1 and counts["b"] == 2


@pytest.mark.django_db
def test_merchant_updated_reaches_webhooks_through_the_registry_and_rolls_back_with_it() -> None:
    merchant = MerchantFactory.create()
    webhook_endpoint_create(
        integrator=merchant.integrator,
        url="https://receiver.example.com/hook",
        event_types=["merchant.updated"],
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        merchant_update(merchant=merchant, fields={"dba_name": "Rolled Back"}, actor="test")
        assert WebhookEvent.objects.filter(type="merchant.updated").count() == 1
        raise RuntimeError("roll back")
    assert not WebhookEvent.objects.filter(type="merchant.updated").exists()
    merchant.refresh_from_db()
    merchant_update(merchant=merchant, fields={"dba_name": "Kept"}, actor="test")
    event = WebhookEvent.objects.get(type="merchant.updated")
    assert '"dba_name":"Kept"' in event.body


def test_domain_apps_import_no_webhooks_and_merchants_no_classifications() -> None:
    """The direction of dependencies that the event registry makes possible (import-linter
    checks the whole graph in ``make test``; this names the edges step 2 of #15 removed)."""
    import ast
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    forbidden = {
        "merchants": {"webhooks", "classifications", "verifications", "monitoring"},
        "webhooks": {"verifications", "classifications", "screening", "monitoring"},
    }
    found = []
    for app, banned in forbidden.items():
        for path in (root / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.ImportFrom)
                    and node.module
                    and node.module.split(".")[0] in banned
                ):
                    found.append(f"{path.relative_to(root)}:{node.lineno} {node.module}")
    assert found == []
