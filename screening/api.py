"""``POST /api/v1/screen``: stateless screening of up to 100 names per request."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kyb.api.renderers import prerendered
from kyb.api.schema import ERRORS
from kyb.api.serializers import CountryField, StrictSerializer
from screening import selectors
from screening.services import (
    ENTITY_TYPES,
    match_threshold,
    match_thresholds,
    max_hits,
    screen_name,
)

MAX_NAMES = 100
MAX_LIMIT = 50


class ScreenNameInputSerializer(StrictSerializer):
    id = serializers.CharField(max_length=128, required=False, allow_blank=True)
    name = serializers.CharField(max_length=500)
    type = serializers.ChoiceField(choices=ENTITY_TYPES, default="any")
    country = CountryField(required=False, allow_blank=True)
    identifiers = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=20, required=False, default=list
    )


class ScreenInputSerializer(StrictSerializer):
    names = serializers.ListField(
        child=ScreenNameInputSerializer(), allow_empty=False, max_length=MAX_NAMES
    )
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, required=False)


class ScreenHitOutputSerializer(serializers.Serializer[Any]):
    entity_id = serializers.CharField()
    list = serializers.CharField()
    name = serializers.CharField(help_text="the list name or alias that matched")
    primary_name = serializers.CharField()
    programs = serializers.ListField(child=serializers.CharField())
    countries = serializers.ListField(child=serializers.CharField())
    score = serializers.FloatField(help_text="match score in [0, 1]; not a risk score")
    match = serializers.BooleanField(
        help_text="score reached the match threshold for the entry's kind (see thresholds)"
    )
    explanation = serializers.DictField(help_text="per-feature evidence for the score")


class ScreenResultOutputSerializer(serializers.Serializer[Any]):
    id = serializers.CharField(allow_null=True)
    hits = ScreenHitOutputSerializer(many=True)


class ScreenListOutputSerializer(serializers.Serializer[Any]):
    # A field named "source" shadows Field.source in the stubs; at runtime DRF allows it.
    source = serializers.CharField()  # type: ignore[assignment]
    name = serializers.CharField()
    version = serializers.IntegerField()
    loaded_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(
        allow_null=True, help_text="the publisher's date of this version (null if unknown)"
    )
    entry_count = serializers.IntegerField()
    stale = serializers.BooleanField(
        help_text="published longer ago than SCREENING_STALE_DAYS, or a bundled demo snapshot: "
        "screening does not reflect today's list"
    )
    bundled = serializers.BooleanField(help_text="the snapshot shipped for demos and tests")


class ScreenThresholdsOutputSerializer(serializers.Serializer[Any]):
    organization = serializers.FloatField(help_text="for hits on organisations")
    default = serializers.FloatField(help_text="for hits on persons and every other kind")


class ScreenOutputSerializer(serializers.Serializer[Any]):
    threshold = serializers.FloatField(
        help_text="the default match threshold (persons, other kinds); see thresholds"
    )
    thresholds = ScreenThresholdsOutputSerializer()
    lists = ScreenListOutputSerializer(many=True)
    results = ScreenResultOutputSerializer(many=True)


def screen_body(results: Any) -> dict[str, Any]:
    """The response to a screening request, as ``ScreenOutputSerializer`` documents it.

    The results are already in their wire shape (``ScreeningHit.as_dict``), so they are not
    walked again through the output serializers: for 100 names that cost more CPU than the
    request's JSON, and its thousands of short-lived objects, freed between cache entries that
    stay, left each web worker's heap some MB larger after a while. Only the lists' part goes
    through its serializer (it formats the dates). A test holds the body equal to the
    serializer's output."""
    return {
        "threshold": match_threshold(),
        "thresholds": match_thresholds(),
        "lists": ScreenListOutputSerializer(selectors.watchlist_freshness(), many=True).data,
        "results": results,
    }


class ScreenApi(APIView):
    """Screen names against the active sanctions lists; hits best first, with explanations."""

    @extend_schema(
        operation_id="screen",
        request=ScreenInputSerializer,
        responses={200: ScreenOutputSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        params = ScreenInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        limit = params.validated_data.get("limit", max_hits())
        results = [self._screen(item, limit) for item in params.validated_data["names"]]
        # Rendered here, so 100 names' hits are freed before the response goes out
        # (kyb.api.renderers.prerendered).
        return Response(screen_body(prerendered(results)))

    @staticmethod
    def _screen(item: dict[str, Any], limit: int) -> dict[str, Any]:
        hits = screen_name(
            name=item["name"],
            entity_type=item["type"],
            country=item.get("country") or None,
            identifiers=item["identifiers"],
            limit=limit,
        )
        return {"id": item.get("id") or None, "hits": [h.as_dict() for h in hits]}
