"""The webhooks app's part of a merchant erasure (see ``merchants.erasure``): stored event
bodies that carried the merchant or its verifications are cut down to ids and statuses (a
pending delivery then sends the cut-down body), and ``merchant.erased`` is announced."""

from __future__ import annotations

from typing import Any

import orjson

from kyb.formats import iso_utc
from merchants.erasure import register, related_ids
from merchants.models import Merchant, MerchantErasure
from webhooks.models import WebhookEvent
from webhooks.services import webhook_event_emit

DATA_KEPT = ("id", "merchant_id", "external_id", "status", "created_at", "completed_at")


def _cut(body: str) -> str:
    event = orjson.loads(body)
    data: dict[str, Any] = event.get("data") or {}
    event["data"] = {**{k: data[k] for k in DATA_KEPT if k in data}, "erased": True}
    return orjson.dumps(event).decode()


def webhook_events_erase(merchant: Merchant) -> dict[str, int]:
    events = WebhookEvent.objects.filter(integrator_id=merchant.integrator_id)
    cut = 0
    for ident in related_ids(merchant):
        for event in events.filter(body__contains=ident).exclude(body__contains='"erased":true'):
            event.body = _cut(event.body)
            event.save(update_fields=["body"])
            cut += 1
    return {"webhook_events": cut}


def webhook_on_merchant_erased(erasure: MerchantErasure) -> None:
    external_id, livemode = (
        Merchant.objects.filter(pk=erasure.merchant_id)
        .values_list("external_id", "livemode")
        .first()
    ) or ("", True)
    webhook_event_emit(
        integrator_id=erasure.integrator_id,
        livemode=livemode,
        event_type="merchant.erased",
        data={
            "merchant_id": str(erasure.merchant_id),
            "external_id": external_id or "",
            "erased_at": iso_utc(erasure.erased_at),
            "retain_until": iso_utc(erasure.retain_until),
        },
    )


def connect() -> None:
    register(eraser=webhook_events_erase, announcer=webhook_on_merchant_erased)
