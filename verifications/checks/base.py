"""The one interface every check implements, and the result it returns."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

logger = logging.getLogger(__name__)


class CheckStatus(StrEnum):
    """``neutral``: the check could not judge (provider down, no input, engine not loaded).
    ``error``: the check itself broke. Neither ever approves a merchant."""

    SUCCESS = "success"
    WARNING = "warning"
    FAILURE = "failure"
    NEUTRAL = "neutral"
    ERROR = "error"


@dataclass
class CheckResult:
    """What a check found. ``reasons`` are risk reason codes (verifications.risk.WEIGHTS)."""

    status: CheckStatus
    message: str
    source: str
    evidence: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    as_of: datetime | None = None
    duration_ms: int = 0
    # In-process hand-offs to later steps (page text, classifier result); never stored.
    artifacts: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """What is stored (JSONB) and shown: text from outside (a page title, a provider's
        message) cleaned of what PostgreSQL refuses, so one odd byte cannot fail the run."""
        return {
            "status": self.status.value,
            "message": storable(self.message),
            "evidence": storable(self.evidence),
            "source": self.source,
            "reasons": self.reasons,
            "as_of": (self.as_of or timezone.now()).isoformat(),
            "duration_ms": self.duration_ms,
        }


def storable(value: Any) -> Any:
    """``value`` with every string JSONB can hold: NUL (U+0000) and lone surrogates, which
    PostgreSQL refuses in text and JSON, become U+FFFD. Keys too; containers are copied."""
    if isinstance(value, str):
        if value.isascii() and "\x00" not in value:
            return value
        return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


# A check: merchant snapshot (plus pipeline context keys starting with "_") -> result.
Check = Callable[[Mapping[str, Any]], CheckResult]


def timed(check: Check, snapshot: Mapping[str, Any]) -> CheckResult:
    """Run ``check``, stamping duration and ``as_of``; an exception becomes status ``error``
    (one broken check must not lose the others' results)."""
    started = time.monotonic()
    try:
        result = check(snapshot)
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:
        # The kind only: check results reach the integrator (?expand=checks, webhooks), and an
        # exception's message may carry internals or the merchant's data; the log has it all.
        logger.warning("check %s failed", getattr(check, "__name__", check), exc_info=True)
        result = CheckResult(
            status=CheckStatus.ERROR,
            message=f"check failed ({type(exc).__name__})",
            source="pipeline",
        )
    result.duration_ms = int((time.monotonic() - started) * 1000)
    if result.as_of is None:
        result.as_of = timezone.now()
    return result
