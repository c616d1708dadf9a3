"""Announcements of a verification's state change, through the event registry (``kyb.events``).

Services call ``verification_changed`` inside their transaction; subscribers (webhooks) run
right there and only write rows, deferring anything that leaves the process to commit. The
payload is the verification's public representation, rendered only if a subscriber needs it.
"""

from __future__ import annotations

from kyb import events
from verifications.models import BusinessVerification


def verification_changed(verification: BusinessVerification, *, event_type: str) -> None:
    """Announce ``event_type`` (``verification.created`` / ``.updated`` / ``.completed`` ...)."""
    from verifications.selectors import verification_public_data

    events.publish(
        event_type,
        integrator_id=verification.integrator_id,
        payload=lambda: verification_public_data(verification),
        livemode=verification.livemode,
        simulated_failures=_simulated_failures(verification),
        subject=verification,
    )


def _simulated_failures(verification: BusinessVerification) -> int:
    """Failed first delivery attempts a sandbox merchant's magic value asks for
    (docs/sandbox.md)."""
    if verification.livemode:
        return 0
    from verifications.sandbox.scenarios import scenario_for

    legal_name = (verification.input_snapshot or {}).get("legal_name")
    return scenario_for({"legal_name": legal_name}).webhook_failures
