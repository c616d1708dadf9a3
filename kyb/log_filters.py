"""Logging filters the settings' LOGGING names."""

from __future__ import annotations

import logging


class OneLineWarning(logging.Filter):
    """A request refused for what the client sent (Django's ``DisallowedHost``): one warning
    line, no traceback. Django logs each at ERROR with its traceback, so anyone sending bad
    ``Host`` headers wrote some 30 log lines per request (found by a QA pass)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
