"""Field encryption for PII at rest (Fernet) and keyed hashes for exact-match search.

The hash key is derived from ``FIELD_ENCRYPTION_KEY`` with a distinct label, so a database dump
alone neither decrypts tax ids nor lets anyone test guesses against the hash column.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


@lru_cache(maxsize=4)
def _hash_key(key: str) -> bytes:
    return hashlib.sha256(b"kyb-search-hash:" + key.encode()).digest()


def encrypt(plaintext: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a value written by ``encrypt``; raises ``ValueError`` for a foreign token."""
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("value was not encrypted with FIELD_ENCRYPTION_KEY") from exc


def normalise_identifier(value: str) -> str:
    """Tax ids are compared without spaces, dashes, dots or case: "12-345 678" == "12345678"."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


def search_hash(value: str) -> str:
    key = _hash_key(settings.FIELD_ENCRYPTION_KEY)
    return hmac.new(key, normalise_identifier(value).encode(), hashlib.sha256).hexdigest()
