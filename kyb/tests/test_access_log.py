"""gunicorn's access log keeps tax ids and credentials out (``kyb.access_log``)."""

from __future__ import annotations

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
