"""The fronts let a batch body through up to the app's batch limit, and only on that route."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from django.conf import settings

from kyb.api.bodylimit import body_limit

ROOT = Path(__file__).resolve().parents[2]
MIB = 1_048_576


def _mib(value: str) -> int:
    return int(value.rstrip("m")) * MIB


def test_only_the_batch_route_has_the_larger_app_limit() -> None:
    assert body_limit("/api/v1/verification-batches") == settings.API_BATCH_MAX_BODY_BYTES
    assert body_limit("/api/v1/verification-batches/") == settings.API_BATCH_MAX_BODY_BYTES
    for path in ("/api/v1/verifications", "/api/v1/verification-batches/x/items", "/admin/"):
        assert body_limit(path) == settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_nginx_allows_the_batch_limit_on_the_batch_route_only() -> None:
    conf = (ROOT / "deploy" / "nginx" / "kyb.conf").read_text()
    general = re.search(r"^    client_max_body_size (\d+m);", conf, re.M)
    batch = re.search(
        r"location = /api/v1/verification-batches \{[^}]*client_max_body_size (\d+m);", conf
    )
    assert general and batch
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= _mib(general[1]) < 16 * MIB
    assert _mib(batch[1]) >= settings.API_BATCH_MAX_BODY_BYTES


def test_the_ingress_allows_the_batch_limit_on_the_batch_route_only() -> None:
    docs = {
        d["metadata"]["name"]: d
        for d in yaml.safe_load_all((ROOT / "k8s/ingress.yaml").read_text())
    }
    size = "nginx.ingress.kubernetes.io/proxy-body-size"
    assert _mib(docs["kyb"]["metadata"]["annotations"][size]) < 16 * MIB
    batches = docs["kyb-batches"]
    assert _mib(batches["metadata"]["annotations"][size]) >= settings.API_BATCH_MAX_BODY_BYTES
    paths = [p for r in batches["spec"]["rules"] for p in r["http"]["paths"]]
    assert [(p["path"], p["pathType"]) for p in paths] == [
        ("/api/v1/verification-batches", "Exact")
    ]
