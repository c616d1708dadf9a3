"""Every PromQL expression in the Grafana dashboards (k8s/dashboards/*.json) and the alert rules
names a metric that a running test server's ``/metrics`` actually exports (issue 16).

The server is exercised first, the way production is: a verification runs through the real
pipeline code (website fetched from a local server, so outbound metrics exist), the API reads
through the cache, the database is queried. Then ``/metrics`` is fetched over HTTP from the live
server and every name the expressions use must be there (as a sample, or as a histogram's
``_bucket``/``_count``/``_sum``), be a recording rule of ours, or be Prometheus's own ``up``.
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.cache import cache

from verifications.services import verification_create
from verifications.tests.fakes import FakeProvider
from verifications.tests.test_pipeline import _merchant, _run, world  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = sorted((ROOT / "k8s" / "dashboards").glob("*.json"))
PROMQL_WORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
    "bool", "offset", "inf", "nan",
}  # fmt: skip
PROMETHEUS_OWN = {"up"}


def metric_names(expr: str) -> set[str]:
    """The metric names in a PromQL expression: identifiers that are not functions, keywords,
    label names (in ``{}`` or ``by (...)``), ranges or Grafana variables."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values and strings
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges, incl. [$__rate_interval]
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    names = set()
    for match in re.finditer(r"(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?", expr):
        word, call = match.group(1), match.group(2)
        if call or word.lower() in PROMQL_WORDS:
            continue
        names.add(word)
    return names


def test_metric_names_parser_reads_promql_as_prometheus_does() -> None:
    expr = (
        'histogram_quantile(0.95, sum by (view, le) (rate(django_x_bucket{job="a", view=~"b.*"}'
        "[$__rate_interval]))) / clamp_min(sum(rate(kyb_y_total[5m])), 1e-9) > 0.8 and "
        "kyb:z:rate5m"
    )
    assert metric_names(expr) == {"django_x_bucket", "kyb_y_total", "kyb:z:rate5m"}


def _rules() -> list[dict[str, Any]]:
    doc = yaml.safe_load((ROOT / "k8s" / "prometheus-rules.yaml").read_text())
    return [rule for group in doc["spec"]["groups"] for rule in group["rules"]]


def _dashboard_expressions() -> list[tuple[str, str]]:
    found = []
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        for panel in dashboard["panels"]:
            for target in panel.get("targets", []):
                found.append((f"{path.name}: {panel['title']}", target["expr"]))
    return found


def _exercise(site: FakeProvider, api: Any) -> None:
    merchant = _merchant(site, integrator=api.integrator)
    verification = verification_create(merchant=merchant)
    assert _run(verification.pk) in {"approved", "in_review", "rejected"}
    cache.set("dashboards:warm", 1, 30)
    cache.get("dashboards:warm")  # a hit
    cache.get("dashboards:cold")  # a miss
    listed = api.get("/api/v1/merchants")
    assert listed.status_code == 200
    for _ in range(2):  # a miss that fills, then a hit
        assert api.get(f"/api/v1/verifications/{verification.pk}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_every_dashboard_and_alert_expression_names_an_exported_metric(
    world: FakeProvider,  # noqa: F811 - the fixture imported above
    api: Any,
    live_server: Any,
) -> None:
    _exercise(world, api)
    with urllib.request.urlopen(f"{live_server.url}/metrics", timeout=30) as response:
        exposition = response.read().decode()
    exported = {
        line.split("{")[0].split(" ")[0]
        for line in exposition.splitlines()
        if line and not line.startswith("#")
    }
    recorded = {rule["record"] for rule in _rules() if "record" in rule}
    expressions = _dashboard_expressions() + [
        (rule.get("alert") or rule["record"], rule["expr"]) for rule in _rules()
    ]
    assert len(DASHBOARDS) == 5 and len(expressions) > 40
    missing = sorted(
        f"{where}: {name}"
        for where, expr in expressions
        for name in metric_names(expr)
        if name not in exported and name not in recorded and name not in PROMETHEUS_OWN
    )
    assert missing == []
