"""Verification input and output shapes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kyb.api.parsers import JsonBody
from kyb.api.serializers import StrictSerializer
from merchants.serializers import MerchantInputSerializer

# One enum in the schema for every status field (named in SPECTACULAR ENUM_NAME_OVERRIDES).
VERIFICATION_STATUSES = ["pending", "processing", "approved", "in_review", "rejected", "error"]


@extend_schema_field(MerchantInputSerializer)
class MerchantPayloadField(serializers.DictField):
    """An inline merchant: checked as ``POST /merchants`` checks it, when it is created."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value = super().to_internal_value(data)
        # Still a request body's JSON: the merchant serializer checks its value types too.
        json_body = isinstance(getattr(self.root, "initial_data", None), JsonBody)
        return JsonBody(value) if json_body else value


class VerificationCreateSerializer(StrictSerializer):
    """Either ``merchant_id`` of an existing merchant or an inline ``merchant`` to create."""

    merchant_id = serializers.UUIDField(required=False)
    merchant = MerchantPayloadField(required=False, help_text="a merchant create payload")
    # validate(): exactly one of the two.
    schema_extra = {"oneOf": [{"required": ["merchant_id"]}, {"required": ["merchant"]}]}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("merchant_id" in attrs) == ("merchant" in attrs):
            raise serializers.ValidationError(
                {"merchant_id": ["Give exactly one of merchant_id or merchant."]}
            )
        return attrs


class VerificationListQuerySerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=VERIFICATION_STATUSES, required=False)
    merchant_id = serializers.UUIDField(required=False)
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)
    cursor = serializers.CharField(required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200)
    expand = serializers.ChoiceField(
        choices=["checks"],
        required=False,
        help_text="`checks`: include each check's full evidence in the rows (heavier)",
    )


class RiskSerializer(serializers.Serializer[Any]):
    score = serializers.IntegerField(allow_null=True)
    reasons = serializers.ListField(child=serializers.JSONField())


class DecisionSerializer(serializers.Serializer[Any]):
    outcome = serializers.CharField()
    decided_by = serializers.ChoiceField(
        choices=["analyst", "system"],
        help_text="who decided: an analyst (never named) or the automatic risk step",
    )
    reason_code = serializers.CharField(
        help_text="`automatic` for the risk step; else one of the operator's configured codes "
        "(DECISION_REASON_CODES, e.g. `verified`, `risk_policy`, `other`)"
    )
    reason = serializers.CharField(
        help_text="integrator-facing text: the risk explanation, or the analyst's chosen reason"
    )
    decided_at = serializers.DateTimeField()


class InformationRequestSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(help_text="what the analyst asks the integrator for")
    requested_at = serializers.DateTimeField()


class VerificationOutputSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    livemode = serializers.BooleanField(
        help_text="false for sandbox objects (created with a sandbox key; docs/sandbox.md)"
    )
    merchant_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=VERIFICATION_STATUSES)
    source = serializers.CharField()  # type: ignore[assignment]  # a field named "source"
    checks = serializers.DictField(help_text="per-check status, message, evidence, source, as_of")
    risk = RiskSerializer()
    decision = DecisionSerializer(allow_null=True)
    error_reason = serializers.CharField()
    information_request = InformationRequestSerializer(
        allow_null=True,
        help_text="an analyst's latest request for more information while the case is in review",
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)


class VerificationSummarySerializer(VerificationOutputSerializer):
    """A list row: evidence stays behind the detail endpoint (or ``?expand=checks``)."""

    checks = serializers.DictField(
        required=False, help_text="only with ?expand=checks: each check's full result"
    )
    check_statuses = serializers.DictField(
        child=serializers.CharField(), help_text="each check's status, by check name"
    )
