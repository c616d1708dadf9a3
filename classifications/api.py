"""``POST /api/v1/classify``: stateless industry classification of one business or a batch."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kyb.api.renderers import prerendered
from kyb.api.schema import ERRORS
from kyb.api.serializers import BLANK, NOT_BLANK, StrictSerializer

MAX_BATCH = 100
MAX_BATCH_TEXT = 250_000  # characters of name + description + website text per request
TEXT_FIELDS = ("name", "description", "website_text")


class ClassifyBusinessInputSerializer(StrictSerializer):
    """One business to classify: at least one of the three texts."""

    id = serializers.CharField(required=False, allow_blank=True, max_length=200)
    name = serializers.CharField(required=False, allow_blank=True, max_length=500)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    website_text = serializers.CharField(required=False, allow_blank=True, max_length=200_000)

    # validate(): at least one text that is not blank once trimmed.
    schema_extra = {
        "anyOf": [{"required": [f], "properties": {f: {"pattern": NOT_BLANK}}} for f in TEXT_FIELDS]
    }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not any((attrs.get(f) or "").strip() for f in TEXT_FIELDS):
            raise serializers.ValidationError(
                "One of name, description or website_text is required.", code="empty_input"
            )
        return attrs


class ClassifyInputSerializer(ClassifyBusinessInputSerializer):
    """Either one business (the fields above) or ``businesses``: a list of up to 100 with at
    most 250,000 characters of name, description and website text in all."""

    businesses = serializers.ListField(
        child=ClassifyBusinessInputSerializer(),
        required=False,
        max_length=MAX_BATCH,
        allow_empty=False,
    )
    k = serializers.IntegerField(required=False, min_value=1, max_value=20)
    # validate(): a `businesses` list and every text blank, or no list and one text given.
    # (The batch's total text cap, MAX_BATCH_TEXT, is beyond JSON Schema: the description says it.)
    schema_extra = {
        "anyOf": [
            {
                "required": ["businesses"],
                "properties": {f: {"pattern": BLANK} for f in TEXT_FIELDS},
            },
            # No `not` (schemathesis's coverage phase tripped on it): a list of at most 0 items
            # where the field needs at least 1 is "no list".
            *(
                {
                    "required": [f],
                    "properties": {f: {"pattern": NOT_BLANK}, "businesses": {"maxItems": 0}},
                }
                for f in TEXT_FIELDS
            ),
        ]
    }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "businesses" in attrs:
            if any(attrs.get(f) for f in TEXT_FIELDS):
                raise serializers.ValidationError(
                    "Send one business or a `businesses` list, not both.", code="ambiguous_input"
                )
            total = sum(len(b.get(f) or "") for b in attrs["businesses"] for f in TEXT_FIELDS)
            if total > MAX_BATCH_TEXT:
                # Classification time grows with the text: one request must not hold a web
                # worker for seconds (the rate limit counts requests, not businesses).
                raise serializers.ValidationError(
                    f"A batch may carry at most {MAX_BATCH_TEXT:,} characters of text in all; "
                    f"this one has {total:,}. Split it.",
                    code="batch_too_large",
                )
            return attrs
        return super().validate(attrs)


class CodeOutputSerializer(serializers.Serializer[dict[str, Any]]):
    """One predicted code."""

    code = serializers.CharField()
    title = serializers.CharField()
    confidence = serializers.FloatField(
        help_text="Calibrated probability that this code is right (0-1)."
    )


class MccOutputSerializer(CodeOutputSerializer):
    """One predicted MCC with its risk flag."""

    risk = serializers.ChoiceField(choices=["high", "prohibited"], allow_null=True)


class ClassificationOutputSerializer(serializers.Serializer[dict[str, Any]]):
    """The classification of one business (same shape as ``manage.py classify``)."""

    id = serializers.CharField(allow_null=True, required=False)
    naics = CodeOutputSerializer(many=True)
    sic = CodeOutputSerializer(many=True)
    mcc = MccOutputSerializer(many=True)
    evidence = serializers.JSONField()
    model_version = serializers.CharField()
    code_system_versions = serializers.DictField(child=serializers.CharField())
    industry_unknown = serializers.BooleanField(
        help_text="True when the input says too little to name an industry (no known word, or "
        "a name alone with weak cues); any codes are then low-confidence guesses."
    )


class ClassifyBatchOutputSerializer(serializers.Serializer[dict[str, Any]]):
    """Results of a batch, in input order."""

    results = ClassificationOutputSerializer(many=True)


def _classify(item: dict[str, Any], k: int | None) -> dict[str, Any]:
    # Imported here: the engine (numpy and the model) loads in the process that
    # classifies, on first use, not in every web worker at start.
    from classifications.services import classify_business

    result = classify_business(**{f: item.get(f) or "" for f in TEXT_FIELDS}, k=k)
    return {"id": item.get("id"), **result.as_dict()}


class ClassifyApi(APIView):
    """Classify one business, or up to 100, into NAICS 2022, SIC 1987 and MCC codes."""

    @extend_schema(
        operation_id="classify",
        request=ClassifyInputSerializer,
        responses={
            200: PolymorphicProxySerializer(
                component_name="ClassifyResponse",
                serializers=[ClassificationOutputSerializer, ClassifyBatchOutputSerializer],
                resource_type_field_name=None,
            ),
            **ERRORS,
        },
        examples=[
            OpenApiExample(
                "one business",
                value={
                    "name": "Trattoria Roma",
                    "description": "Italian restaurant with table service",
                },
                request_only=True,
            )
        ],
        description=(
            "One business in the body, or `businesses`: a list of up to 100 "
            '(the response is then `{"results": [...]}`).'
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = ClassifyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        k = data.get("k")
        # The results are already the documented wire shape (ClassificationResult.as_dict),
        # so the output serializers only describe it (the schema): walking 100 businesses' codes
        # through them cost CPU, and their short-lived objects left each web worker's heap some
        # MB larger after a while. A test holds both equal. A batch is rendered here, so its
        # results are freed before the response goes out (kyb.api.renderers.prerendered).
        if "businesses" in data:
            results = [_classify(item, k) for item in data["businesses"]]
            return Response({"results": prerendered(results)}, status=status.HTTP_200_OK)
        return Response(_classify(data, k), status=status.HTTP_200_OK)
