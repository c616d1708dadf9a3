"""The webhooks app's subscription to batches: ``batch.completed`` with the batch's progress
(the same shape as ``GET /api/v1/verification-batches/{id}``)."""

from __future__ import annotations

from typing import Any

from batches.models import VerificationBatch
from webhooks.services import webhook_event_emit


def webhook_on_batch_changed(batch: VerificationBatch, event_type: str) -> None:
    from batches.selectors import batch_public_data

    def data() -> dict[str, Any]:
        return batch_public_data(batch)

    webhook_event_emit(
        integrator_id=batch.integrator_id,
        event_type=event_type,
        data=data,
        livemode=batch.livemode,
    )
