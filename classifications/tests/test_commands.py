"""``manage.py classify``: JSON lines in, JSON lines out."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.core.management import call_command


def _run(monkeypatch: pytest.MonkeyPatch, lines: list[str]) -> list[dict[str, Any]]:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    out = io.StringIO()
    call_command("classify", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_classify_reads_json_lines_and_writes_one_result_per_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    results = _run(
        monkeypatch,
        [
            json.dumps({"id": "a1", "description": "Full-service restaurant serving Italian food"}),
            "",
            json.dumps(
                {"id": "a2", "name": "Acme Trucking", "website_text": "Truckload freight carrier"}
            ),
        ],
    )
    assert [r["id"] for r in results] == ["a1", "a2"]
    first = results[0]
    assert set(first) >= {"id", "naics", "sic", "mcc", "evidence", "model_version"}
    assert first["naics"][0] == {
        "code": "722511",
        "title": "Full-Service Restaurants",
        "confidence": first["naics"][0]["confidence"],
    }
    assert {"code", "title", "confidence", "risk"} <= set(first["mcc"][0])


def test_bad_lines_get_an_error_line_and_do_not_stop_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    results = _run(
        monkeypatch,
        ["not json", json.dumps({"id": 7}), json.dumps({"id": 8, "name": "City Cab taxi service"})],
    )
    assert results[0]["error"].startswith("invalid JSON")
    assert results[1] == {
        "id": 7,
        "line": 2,
        "error": "one of name, description, website_text is required",
    }
    assert results[2]["id"] == 8 and results[2]["naics"]


def test_every_error_line_names_its_input_line(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["[1]", '{"id":3,"name":5}', '{"id":4}', "not json", '"str"', '{"id":9,"name":{}}']
    results = _run(monkeypatch, lines)
    assert [(r["id"], r["line"]) for r in results] == [
        (None, 1),
        (3, 2),
        (4, 3),
        (None, 4),
        (None, 5),
        (9, 6),
    ]
    assert all(set(r) == {"id", "line", "error"} for r in results)


def test_bench_classify_prints_accuracy_calibration_and_latency() -> None:
    out = io.StringIO()
    call_command("bench_classify", "--limit", "40", "--no-names", stdout=out, stderr=io.StringIO())
    report = out.getvalue()
    assert "| index-test | 40 | model |" in report
    assert "NAICS-6 top-1 | NAICS-6 top-3 | NAICS-4 top-1 | sector top-1 | ECE" in report
    assert "| real-world | 50 | baseline: most frequent |" in report
    assert re.search(r"\| everyday-test \| \d{3} \| model \|", report)
    assert "| everyday-dev (seen) |" in report
    assert "ECE NAICS top-1" in report and "median" in report and "p95" in report
