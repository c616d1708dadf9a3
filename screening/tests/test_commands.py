"""load_watchlist and screen on the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from screening.models import WatchList, WatchListEntry
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


def test_load_watchlist_skips_rows_the_columns_cannot_hold_and_keeps_the_rest(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "id,name,type,program\n"
        f"{'X' * 200},Long Id,organization,\n"
        f"2,{'N' * 1200},organization,\n"
        "3,Nul\x00 Co,organization,\n"
        f"4,Long Program,organization,{'P' * 300}\n"
        "5,Good Co,organization,\n",
        encoding="utf-8",
    )
    out, err = run(
        "load_watchlist", "--no-progress", "--source", "custom", "--name", "mine", str(path)
    )
    assert "custom:mine v1 active: 1 entries, 4 rows skipped" in out
    skipped = [line for line in err.splitlines() if line.startswith("skipped ")]
    assert [line.split(":")[0:2] for line in skipped] == [
        ["skipped mine.csv", str(n)] for n in (2, 3, 4, 5)
    ]
    entry = WatchListEntry.objects.get(watchlist__is_active=True)
    assert entry.entity_id == "mine:5"


def test_load_watchlist_refuses_a_list_name_over_the_column_limit(tmp_path: Path) -> None:
    path = tmp_path / "good.csv"
    path.write_text("id,name,type\n1,Good Co,organization\n", encoding="utf-8")
    with pytest.raises(CommandError, match="list name is 101 characters, the limit is 100"):
        run("load_watchlist", "--source", "custom", "--name", "N" * 101, str(path))
    assert not WatchList.objects.exists()


def test_load_watchlist_unreadable_file_is_a_command_error_and_the_list_stays(
    tmp_path: Path,
) -> None:
    run("load_watchlist", "--no-progress", "--source", "ofac_sdn", *map(str, FIXTURE_FILES))
    truncated = tmp_path / "un.xml"
    truncated.write_text("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>", encoding="utf-8")
    with pytest.raises(CommandError, match=r"un\.xml:1: not well-formed XML"):
        run("load_watchlist", "--no-progress", "--source", "un", str(truncated))
    sdn = tmp_path / "sdn.csv"
    sdn.write_bytes(b'1,"BAD \x81",-0-,[CUBA],-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n')
    with pytest.raises(CommandError, match=r"sdn\.csv:1: neither UTF-8 nor cp1252"):
        run("load_watchlist", "--no-progress", "--source", "ofac_sdn", str(sdn))
    active = WatchList.objects.get(is_active=True)
    assert (active.source, active.version, active.entry_count) == ("ofac_sdn", 1, 17)


def test_load_watchlist_prints_the_cp1252_fallback_warning(tmp_path: Path) -> None:
    sdn = tmp_path / "sdn.csv"
    sdn.write_bytes('1,"CAFÉ",-0-,[CUBA],-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n'.encode("cp1252"))
    out, err = run("load_watchlist", "--no-progress", "--source", "ofac_sdn", str(sdn))
    assert "1 entries, 0 rows skipped, 1 warning(s)" in out
    assert "warning sdn.csv:1: not valid UTF-8: 1 line(s) decoded as cp1252" in err
    assert WatchListEntry.objects.get().primary_name == "CAFÉ"


@pytest.mark.usefixtures("fixture_list")
def test_screen_bad_optional_fields_are_error_lines_and_the_stream_goes_on() -> None:
    lines = [
        '{"id":1,"name":"x","identifiers":5}',
        '{"id":2,"name":"x","country":5}',
        '{"id":3,"name":"x","type":["person"]}',
        '{"id":4,"name":"x","identifiers":[{"a":1}]}',
        json.dumps({"id": 5, "name": "Elvis Logan Morey", "identifiers": ["P1", 7]}),
    ]
    out, _ = run("screen", stdin="\n".join(lines))
    results = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], r.get("line"), "error" in r) for r in results] == [
        (1, 1, True),
        (2, 2, True),
        (3, 3, True),
        (4, 4, True),
        (5, None, False),
    ]
    assert results[0]["error"] == "'identifiers' must be a list of strings"
    assert results[1]["error"] == "'country' must be a string"
    assert results[4]["hits"][0]["entity_id"] == "10278"


@pytest.mark.parametrize("limit", ["0", "-3"])
def test_screen_limit_below_one_is_refused(limit: str) -> None:
    with pytest.raises(CommandError, match="--limit must be 1 or more"):
        run("screen", "--limit", limit, stdin='{"id":1,"name":"x"}')
