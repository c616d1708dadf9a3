"""gunicorn's logger with PII kept out of the access log.

The merchant search by tax id is ``GET /api/v1/merchants?tax_id=...``: the database holds only
an encrypted value and a keyed hash, but gunicorn's default access log wrote the query string,
and so the tax id, in clear. The request line and query atoms are redacted here: ``tax_id`` as
Django reads it (``tax%5Fid`` too), and any parameter named for a credential (``api_key``).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

from gunicorn.glogging import Logger

SENSITIVE_PARAMS = ("tax_id",)
# Parameter names that carry a credential, anywhere in the name (api_key, token, client_secret).
CREDENTIAL_WORDS = ("key", "token", "secret", "password")
_PARAM = re.compile(r"(^|[?&])([^=&\s?]*)=([^&\s]*)")


def _sensitive(name: str) -> bool:
    # As Django reads it: tax%5Fid and TAX_ID are tax_id.
    name = unquote_plus(name).lower()
    return name in SENSITIVE_PARAMS or any(word in name for word in CREDENTIAL_WORDS)


def redact(text: str) -> str:
    """``a=1&tax_id=GB123`` -> ``a=1&tax_id=REDACTED``; a query string, or a request line."""
    return _PARAM.sub(lambda m: f"{m[1]}{m[2]}=REDACTED" if _sensitive(m[2]) else m[0], text)


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "q"):  # the request line and the query string
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return dict(atoms)
