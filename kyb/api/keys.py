"""API key material: generation and the keyed hash stored at rest.

Keys are 32 random bytes, so a fast keyed hash (HMAC-SHA256 with a server secret) is the right
protection at rest; a password hasher per request would cost ~100 ms for no gain.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings

KEY_PREFIX = "kyb_"
SANDBOX_KEY_PREFIX = "kyb_test_"  # tells a human (and a secret scanner) a sandbox key apart


@dataclass(frozen=True)
class NewKey:
    plaintext: str
    prefix: str
    key_hash: str


def api_key_hash(plaintext: str) -> str:
    secret = settings.API_KEY_HASH_SECRET.encode()
    return hmac.new(secret, plaintext.encode(), hashlib.sha256).hexdigest()


def api_key_generate(*, livemode: bool = True) -> NewKey:
    prefix = secrets.token_hex(4)
    marker = KEY_PREFIX if livemode else SANDBOX_KEY_PREFIX
    plaintext = f"{marker}{prefix}_{secrets.token_urlsafe(32)}"
    return NewKey(plaintext=plaintext, prefix=prefix, key_hash=api_key_hash(plaintext))
