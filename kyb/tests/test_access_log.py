"""gunicorn's access log keeps tax ids and credentials out (``kyb.access_log``)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from kyb.access_log import redact


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("tax_id=GB1&TAX_ID=DE2&x=1", "tax_id=REDACTED&TAX_ID=REDACTED&x=1"),
        # Found by a QA pass: Django reads these names as tax_id, and the filter worked.
        (
            "GET /api/v1/merchants?tax%5Fid=GB980780684 HTTP/1.1",
            "GET /api/v1/merchants?tax%5Fid=REDACTED HTTP/1.1",
        ),
        ("t%61x_id=GB1&limit=1", "t%61x_id=REDACTED&limit=1"),
        # A key sent in the query string is refused (401) but was logged in clear.
        (
            "GET /api/v1/merchants?api_key=sk_live_x HTTP/1.1",
            "GET /api/v1/merchants?api_key=REDACTED HTTP/1.1",
        ),
        (
            "limit=1&access_token=t&client_secret=s",
            "limit=1&access_token=REDACTED&client_secret=REDACTED",
        ),
        # Nothing else changes.
        (
            "GET /api/v1/merchants?limit=1&country=GB HTTP/1.1",
            "GET /api/v1/merchants?limit=1&country=GB HTTP/1.1",
        ),
    ],
)
def test_sensitive_parameters_are_redacted(line: str, redacted: str) -> None:
    assert redact(line) == redacted


def test_a_bad_host_is_one_warning_line(client: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Found by a QA pass: each bad Host header logged a traceback at ERROR."""
    with caplog.at_level(logging.WARNING, logger="django.security.DisallowedHost"):
        response = client.get("/api/v1/merchants", HTTP_HOST="evil.example")
    assert response.status_code == 400
    records = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert records and all(r.levelname == "WARNING" and r.exc_info is None for r in records)
