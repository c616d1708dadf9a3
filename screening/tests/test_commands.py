"""load_watchlist and screen on the command line."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from screening.tests.conftest import FIXTURE_FILES

pytestmark = pytest.mark.django_db


def run(*args: str, stdin: str | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    extra: dict[str, Any] = {"stdin": io.StringIO(stdin)} if stdin is not None else {}
    call_command(*args, stdout=out, stderr=err, **extra)
    return out.getvalue(), err.getvalue()


def test_load_watchlist_summarises_and_reports_skipped_rows_by_line() -> None:
    out, err = run("load_watchlist", "--source", "ofac_sdn", *map(str, FIXTURE_FILES))
    assert "ofac_sdn:ofac_sdn v1 active: 17 entries, 9 rows skipped" in out
    assert "skipped alt.csv:1: unknown entity '10416'" in err
    out, _ = run(
        "load_watchlist", "--no-progress", "--source", "ofac_sdn", *map(str, FIXTURE_FILES)
    )
    assert "v2 active" in out and "replaced v1" in out


def test_load_watchlist_refuses_missing_files() -> None:
    with pytest.raises(CommandError, match="not a file"):
        run("load_watchlist", "--source", "un", "/nonexistent.xml")


@pytest.mark.usefixtures("fixture_list")
def test_screen_reads_json_lines_and_writes_one_result_per_line() -> None:
    lines = "\n".join(
        [
            json.dumps({"id": "a", "name": "Elvis Logan Morey", "type": "person"}),
            json.dumps(
                {"id": "b", "name": "Nobody At All", "type": "organization", "country": "GB"}
            ),
            "not json",
            json.dumps({"id": "c", "name": "x", "type": "ship"}),
        ]
    )
    out, _ = run("screen", "--limit", "3", stdin=lines)
    a, b, bad, wrong_type = (json.loads(line) for line in out.splitlines())
    assert a["id"] == "a" and a["hits"][0]["entity_id"] == "10278" and a["hits"][0]["match"] is True
    assert set(a["hits"][0]) >= {"entity_id", "list", "name", "score", "match", "explanation"}
    assert b == {"id": "b", "hits": []}
    assert bad["line"] == 3 and "error" in bad
    assert wrong_type["id"] == "c" and "entity_type" in wrong_type["error"]
