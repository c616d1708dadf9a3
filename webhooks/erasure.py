"""The webhooks app's part of a merchant erasure (``merchants.erasure`` publishes
``merchant.erased`` with the ids to redact): stored event bodies that carried the merchant or its
verifications are cut down to ids and statuses (a pending delivery then sends the cut-down body)
before ``merchant.erased`` itself is emitted. This module imports no domain app."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import orjson

from webhooks.models import WebhookEvent

DATA_KEPT = ("id", "merchant_id", "external_id", "status", "created_at", "completed_at")


def _cut(body: str) -> str:
    event = orjson.loads(body)
    data: dict[str, Any] = event.get("data") or {}
    event["data"] = {**{k: data[k] for k in DATA_KEPT if k in data}, "erased": True}
    return orjson.dumps(event).decode()


def webhook_events_redact(*, integrator_id: uuid.UUID, redact_ids: Iterable[str]) -> dict[str, int]:
    """Cut down the integrator's stored event bodies that mention any of ``redact_ids``."""
    events = WebhookEvent.objects.filter(integrator_id=integrator_id)
    cut = 0
    for ident in redact_ids:
        for event in events.filter(body__contains=ident).exclude(body__contains='"erased":true'):
            event.body = _cut(event.body)
            event.save(update_fields=["body"])
            cut += 1
    return {"webhook_events": cut}
