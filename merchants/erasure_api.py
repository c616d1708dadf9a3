"""``DELETE /api/v1/merchants/{id}``: erase the merchant's personal data (``merchants.erasure``).

Wired as the ``delete`` method of ``merchants.api.MerchantDetailApi``; the work is here. The
answer is the erasure receipt; repeating the DELETE returns the same receipt."""

from __future__ import annotations

import uuid
from typing import Any

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kyb.api.auth import request_integrator, request_livemode
from kyb.formats import iso_utc
from kyb.tenancy.models import ApiKey
from merchants.erasure import merchant_erase
from merchants.models import MerchantErasure
from merchants.selectors import merchant_get


class MerchantErasureOutputSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(help_text="the erasure (audit record) id")
    livemode = serializers.BooleanField(help_text="false for a sandbox merchant's erasure")
    merchant_id = serializers.UUIDField()
    erased_at = serializers.DateTimeField()
    retain_until = serializers.DateTimeField(
        help_text="the kept skeleton (decision, reason codes, list versions, timestamps) is "
        "deleted after this (ERASURE_RETENTION_DAYS)"
    )
    summary = serializers.DictField(
        child=serializers.JSONField(), help_text="what was scrubbed, as counts per kind of row"
    )


def erasure_data(erasure: MerchantErasure, *, livemode: bool) -> dict[str, Any]:
    return {
        "id": str(erasure.id),
        "livemode": livemode,
        "merchant_id": str(erasure.merchant_id),
        "erased_at": iso_utc(erasure.erased_at),
        "retain_until": iso_utc(erasure.retain_until),
        "summary": erasure.summary,
    }


def merchant_erase_view(request: Request, merchant_id: uuid.UUID) -> Response:
    merchant = merchant_get(
        integrator=request_integrator(request),
        livemode=request_livemode(request),
        merchant_id=merchant_id,
    )
    key = request.auth
    requested_by = f"api_key:{key.prefix}" if isinstance(key, ApiKey) else "api"
    erasure = merchant_erase(merchant=merchant, requested_by=requested_by)
    return Response(erasure_data(erasure, livemode=merchant.livemode))
