"""Batch input and output shapes (these classes document the API; see batches.api)."""

from __future__ import annotations

from rest_framework import serializers

from batches.selectors import ITEM_STATUSES
from kyb.api.schema import ErrorBodySerializer
from kyb.api.serializers import StrictSerializer
from verifications.serializers import VerificationCreateSerializer

BATCH_STATUSES = ["processing", "completed"]


class BatchCreateSerializer(StrictSerializer):
    """The body as ``{"items": [...]}``; a bare JSON array of the same items, or JSON Lines
    (one item per line, ``application/x-ndjson`` or ``application/jsonl``), is accepted too."""

    items = serializers.ListField(
        child=VerificationCreateSerializer(),
        min_length=1,
        max_length=10_000,
        help_text="1 to 10,000 items",
    )


class BatchCountsSerializer(serializers.Serializer):
    pending = serializers.IntegerField(help_text="waiting, or not yet submitted")
    processing = serializers.IntegerField()
    approved = serializers.IntegerField()
    in_review = serializers.IntegerField()
    rejected = serializers.IntegerField()
    error = serializers.IntegerField(help_text="the checks could not run (retryable)")
    invalid = serializers.IntegerField(help_text="refused: see the item's error")


class BatchSummarySerializer(serializers.Serializer):
    """A row of the batch list: progress without the per-status counts."""

    id = serializers.UUIDField()
    livemode = serializers.BooleanField(
        help_text="false for a batch submitted with a sandbox key (docs/sandbox.md)"
    )
    status = serializers.ChoiceField(
        choices=BATCH_STATUSES,
        help_text="completed once every item is decided (or invalid)",
    )
    total = serializers.IntegerField(help_text="items in the request")
    decided = serializers.IntegerField(help_text="items decided (first decision) or invalid")
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


class BatchOutputSerializer(BatchSummarySerializer):
    counts = BatchCountsSerializer(help_text="items by current status")


class BatchListQuerySerializer(StrictSerializer):
    cursor = serializers.CharField(required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200)


class BatchItemErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="0-based position in the request")
    error = ErrorBodySerializer()


class BatchAcceptedSerializer(BatchOutputSerializer):
    errors = BatchItemErrorSerializer(  # type: ignore[assignment]  # the response's "errors" key
        many=True, help_text="invalid items, by index (the first 1,000; all via the items list)"
    )
    errors_truncated = serializers.BooleanField(help_text="more invalid items than listed")


class BatchInvalidBodySerializer(ErrorBodySerializer):
    items = BatchItemErrorSerializer(
        many=True, required=False, help_text="batch_invalid: each item's error (first 1,000)"
    )


class BatchInvalidSerializer(serializers.Serializer):
    error = BatchInvalidBodySerializer()


class BatchItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="0-based position in the request")
    external_id = serializers.CharField()
    merchant_id = serializers.UUIDField(allow_null=True)
    verification_id = serializers.UUIDField(allow_null=True)
    status = serializers.ChoiceField(choices=ITEM_STATUSES)
    error = ErrorBodySerializer(allow_null=True, help_text="why an invalid item was refused")


class BatchItemQuerySerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=ITEM_STATUSES, required=False)
    cursor = serializers.CharField(required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000)
