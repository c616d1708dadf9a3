"""/healthz, /readyz and /metrics."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

DEAD = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_healthz_answers_without_touching_dependencies(client: Client) -> None:
    with override_settings(REDIS_URL=DEAD, CELERY_BROKER_URL=DEAD):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_200_when_every_dependency_answers(client: Client) -> None:
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["failed"] == []
    assert set(body["checks"]) == {"database", "redis", "broker"}


@pytest.mark.parametrize(
    ("overrides", "failed"),
    [
        ({"REDIS_URL": DEAD}, ["redis"]),
        ({"CELERY_BROKER_URL": DEAD}, ["broker"]),
        ({"REDIS_URL": DEAD, "CELERY_BROKER_URL": DEAD}, ["redis", "broker"]),
    ],
)
def test_readyz_is_503_naming_the_unreachable_dependency(
    client: Client, overrides: dict[str, str], failed: list[str]
) -> None:
    with override_settings(**overrides, READINESS_TIMEOUT=0.5):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == failed
    assert body["checks"]["database"]["ok"] is True


def test_readyz_rejects_post(client: Client) -> None:
    assert client.post("/readyz").status_code == 405


def test_metrics_exports_request_db_and_cache_families(client: Client) -> None:
    from django.core.cache import cache

    client.get("/healthz")
    cache.get("warm-up")
    body = client.get("/metrics").content.decode()
    assert "django_http_requests_total_by_method_total" in body
    assert "django_db_execute_total" in body or "django_db_new_connections_total" in body
    assert "django_cache_get_total" in body


def test_metrics_include_queue_depth_and_review_backlog(client: Client) -> None:
    from verifications.tests.factories import BusinessVerificationFactory, PipelineJobFactory

    PipelineJobFactory.create()
    BusinessVerificationFactory.create(status="in_review")
    body = client.get("/metrics").content.decode()
    assert 'kyb_pipeline_jobs{status="queued"} 1.0' in body
    assert "kyb_pipeline_oldest_queued_seconds" in body
    assert 'kyb_verifications{status="in_review"} 1.0' in body


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_by_pod_ip_over_http_are_answered(client: Client, settings: Any, path: str) -> None:
    """The kubelet and Prometheus call the pod IP over plain HTTP: neither ALLOWED_HOSTS nor
    the HTTPS redirect may stand in the way (every web pod was left unready and restarted)."""
    settings.ALLOWED_HOSTS = ["kyb.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(path, HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    other = client.get("/api/v1/merchants", HTTP_HOST="10.1.2.3:8000")
    assert other.status_code in (301, 400)  # everything else keeps both protections


def test_metrics_say_how_old_each_active_watchlist_is(client: Client) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from screening.models import WatchList

    listed = WatchList.objects.create(source="un", name="UN", version=1, is_active=True)
    WatchList.objects.filter(pk=listed.pk).update(loaded_at=timezone.now() - timedelta(days=10))
    body = client.get("/metrics").content.decode()
    line = next(
        x for x in body.splitlines() if x.startswith('kyb_watchlist_age_seconds{source="un"}')
    )
    assert float(line.split()[-1]) > 9 * 86400
