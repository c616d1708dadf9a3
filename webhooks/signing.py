"""Webhook signatures: ``KYB-Signature: t=<unix>,v1=<hex>[,v1=<hex>]``.

``v1`` is HMAC-SHA256 over ``"<t>.<body>"`` with an endpoint secret; during a rotation there is
one ``v1`` per active secret, so receivers accept either while they switch. Receivers should
also reject a ``t`` older than a few minutes (replay protection).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as _secrets
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"  # noqa: S105 - a public prefix, not a secret


def secret_generate() -> str:
    return SECRET_PREFIX + _secrets.token_urlsafe(32)


def signature_header(body: bytes, secrets: Iterable[str], timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + body
    parts = [f"t={timestamp}"]
    for secret in secrets:
        parts.append("v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest())
    return ",".join(parts)


def signature_verify(
    body: bytes, header: str, secret: str, *, now: int, tolerance: int = 300
) -> bool:
    """The receiver's side (used by our tests and documented in docs/webhooks.md)."""
    fields = [item.split("=", 1) for item in header.split(",") if "=" in item]
    timestamps = [v for k, v in fields if k == "t"]
    if not timestamps or abs(now - int(timestamps[0])) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamps[0]}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return any(k == "v1" and hmac.compare_digest(v, expected) for k, v in fields)
