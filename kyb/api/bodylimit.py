"""The largest request body a path accepts: ``API_MAX_BODY_BYTES`` (1 MiB) everywhere, and the
larger ``API_BATCH_MAX_BODY_BYTES`` on the batch submission route only (10,000 merchants do not
fit in 1 MiB). One function, read by the WSGI body wrapper and the API middleware, so the two
limits cannot drift apart; nginx mirrors it with its own ``location`` (deploy/nginx/kyb.conf).
"""

from __future__ import annotations

from django.conf import settings

# Paths (exact, without a trailing slash) whose bodies may reach API_BATCH_MAX_BODY_BYTES.
LARGE_BODY_PATHS = frozenset({"/api/v1/verification-batches"})


def body_limit(path: str) -> int:
    """The byte limit for a request body sent to ``path``."""
    default = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) or 1_048_576
    if path.rstrip("/") in LARGE_BODY_PATHS:
        return max(int(settings.API_BATCH_MAX_BODY_BYTES), default)
    return default
