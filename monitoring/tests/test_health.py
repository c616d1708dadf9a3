"""/healthz, /readyz and /metrics."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

DEAD = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_probes_answer_head_as_get(client: Client) -> None:
    """Uptime monitors and some load balancers probe with HEAD (a 405 in HTML before)."""
    for path in ("/healthz", "/readyz", "/metrics"):
        response = client.head(path)
        assert response.status_code == 200, (path, response.status_code)
        assert response.content == b""


def test_healthz_answers_without_touching_dependencies(client: Client) -> None:
    with override_settings(REDIS_URL=DEAD, CELERY_BROKER_URL=DEAD):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_200_when_every_dependency_answers(client: Client) -> None:
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["failed"] == [] and body["degraded"] == []
    assert set(body["checks"]) == {"database", "broker", "cache"}
    assert body["checks"]["database"]["required"] is True
    assert body["checks"]["cache"]["required"] is False


@pytest.mark.parametrize(
    ("overrides", "failed"),
    [
        ({"CELERY_BROKER_URL": DEAD}, ["broker"]),
        ({"REDIS_URL": DEAD, "CELERY_BROKER_URL": DEAD}, ["broker"]),
    ],
)
def test_readyz_is_503_naming_the_unreachable_required_dependency(
    client: Client, overrides: dict[str, str], failed: list[str]
) -> None:
    with override_settings(**overrides, READINESS_TIMEOUT=0.5):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == failed
    assert body["checks"]["database"]["ok"] is True


def test_readyz_stays_ready_but_degraded_while_the_cache_redis_is_down(client: Client) -> None:
    """Issue 16: a cache outage must not take every web pod out of the Service."""
    with override_settings(REDIS_URL=DEAD, READINESS_TIMEOUT=0.5):
        response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "degraded"
    assert body["degraded"] == ["cache"] and body["failed"] == []
    assert body["checks"]["cache"]["ok"] is False


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never answers (a hung or half-open PostgreSQL)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def test_readyz_gives_the_database_only_readiness_timeout(
    client: Client, monkeypatch: pytest.MonkeyPatch, silent_server: int
) -> None:
    """Issue 12 item 4: the database probe answered after the pool's 10-s DB_POOL_TIMEOUT
    during an outage. Pointed at a server that never answers, it now gives up at
    READINESS_TIMEOUT (libpq alone would wait at least 2 s) and names the dependency."""
    from django.db import connection

    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(connection.settings_dict, "PORT", str(silent_server))
    with override_settings(READINESS_TIMEOUT=0.3):
        response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503, body
    assert body["failed"] == ["database"]
    assert body["checks"]["database"]["error"] == "ProbeTimeout"


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


def test_metrics_show_a_webhook_backlog(client: Client) -> None:
    """Nothing showed due deliveries piling up (a stuck webhooks queue), a QA fault run found."""
    from datetime import timedelta

    from django.utils import timezone

    from merchants.tests.factories import IntegratorFactory
    from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

    integrator = IntegratorFactory.create()
    endpoint = WebhookEndpoint.objects.create(
        integrator=integrator, url="https://hooks.example.com/x", secret_encrypted="x"
    )
    event = WebhookEvent.objects.create(
        integrator=integrator, type="verification.created", body="{}"
    )
    for minutes in (1, 20):
        WebhookDelivery.objects.create(
            event=event,
            endpoint=endpoint,
            next_attempt_at=timezone.now() - timedelta(minutes=minutes),
        )
    body = client.get("/metrics").content.decode()
    assert "kyb_webhook_deliveries_due 2.0" in body
    oldest = next(
        line for line in body.splitlines() if line.startswith("kyb_webhook_oldest_due_seconds ")
    )
    assert float(oldest.split()[1]) >= 20 * 60


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


def test_api_keeps_serving_from_postgresql_while_the_cache_redis_is_down(
    api: Any, client: Client
) -> None:
    """The acceptance of issue 16: cache Redis down = /readyz 200 degraded, and the API
    answers reads and writes from PostgreSQL."""
    from tests.test_cache import real_caches_pointing_at_a_dead_redis

    dead_redis = {
        "REDIS_URL": DEAD,
        "RATE_LIMIT_REDIS_URL": DEAD,
        "OUTBOUND_BREAKER_REDIS_URL": DEAD,
        "CACHES": real_caches_pointing_at_a_dead_redis(),
        "READINESS_TIMEOUT": 0.5,
    }
    with override_settings(**dead_redis):
        created = api.post_json(
            "/api/v1/merchants",
            {"external_id": "cache-down-1", "legal_name": "Cache Down Ltd", "country": "GB"},
        )
        assert created.status_code == 201, created.content
        merchant_id = created.json()["id"]
        read = api.get(f"/api/v1/merchants/{merchant_id}")
        listed = api.get("/api/v1/merchants")
        ready = client.get("/readyz")
    assert read.status_code == 200 and read.json()["legal_name"] == "Cache Down Ltd"
    assert listed.status_code == 200
    assert merchant_id in [m["id"] for m in listed.json()["data"]]
    assert ready.status_code == 200 and ready.json()["degraded"] == ["cache"]


def test_metrics_count_messages_waiting_in_each_celery_queue(client: Client) -> None:
    import redis
    from django.conf import settings

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    marker = '{"test": "queue-depth"}'
    broker.lpush("bulk", marker, marker)
    try:
        body = client.get("/metrics").content.decode()
    finally:
        broker.lrem("bulk", 0, marker)
    line = next(
        x for x in body.splitlines() if x.startswith('kyb_celery_queue_length{queue="bulk"}')
    )
    assert float(line.split()[-1]) >= 2
    assert 'kyb_celery_queue_length{queue="verifications"}' in body


def test_metrics_in_multiprocess_mode_describe_each_process(
    client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import os

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    body = client.get("/metrics").content.decode()
    assert f'process_resident_memory_bytes{{pid="{os.getpid()}"}}' in body


def test_metrics_name_each_redis_roles_eviction_policy(client: Client) -> None:
    body = client.get("/metrics").content.decode()
    assert 'role="cache"' in body and 'role="broker"' in body
    assert "kyb_redis_maxmemory_policy_info{" in body
    assert 'kyb_db_pool_connections{state="size"}' in body
