"""gunicorn's logger with PII kept out of the access log.

The merchant search by tax id is ``GET /api/v1/merchants?tax_id=...``: the database holds only
an encrypted value and a keyed hash, but gunicorn's default access log wrote the query string,
and so the tax id, in clear. The request line and query atoms are redacted here.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

SENSITIVE_PARAMS = ("tax_id",)
_PATTERN = re.compile(r"(?i)\b(" + "|".join(SENSITIVE_PARAMS) + r")=[^&\s]*")


def redact(text: str) -> str:
    """``a=1&tax_id=GB123`` -> ``a=1&tax_id=REDACTED``."""
    return _PATTERN.sub(r"\1=REDACTED", text)


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "q"):  # the request line and the query string
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return dict(atoms)
