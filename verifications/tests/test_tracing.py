"""One trace follows a verification from the POST through the worker's checks to the webhook
delivery (issue 16), checked with OpenTelemetry's in-memory exporter.

Real code paths end to end: the API over Django's test client (Django instrumentation), the
message through the real Redis broker with the trace context in its headers (Celery
instrumentation), the real Celery worker code in this process (``celery.contrib.testing``'s
embedded worker, solo pool), the pipeline's checks, and the webhook POSTed to a local receiver
over urllib3.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from kyb import tracing
from kyb.celery import app
from kyb.queues import Queue
from kyb.tests.api_client import ApiClient
from verifications.tests.fakes import FakeProvider
from verifications.tests.test_pipeline import _merchant, world  # noqa: F401 - fixture
from webhooks.services import webhook_endpoint_create
from webhooks.tests.receiver import Receiver, webhook_receiver


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """Tracing on for this test with an in-memory exporter; the instrumentations are undone
    and the global provider restored afterwards."""
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor

    exporter = InMemorySpanExporter()
    monkeypatch.setattr(trace, "_TRACER_PROVIDER_SET_ONCE", trace.Once())
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", None)
    monkeypatch.setattr(tracing, "_configured", False)
    assert tracing.configure_tracing(exporter=exporter, batch=False)
    try:
        yield exporter
    finally:
        for instrumentor in (
            DjangoInstrumentor(),
            CeleryInstrumentor(),
            PsycopgInstrumentor(),
            RedisInstrumentor(),
            URLLib3Instrumentor(),
        ):
            instrumentor.uninstrument()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.WEBHOOK_REQUIRE_HTTPS = False
    with webhook_receiver() as r:
        yield r


def test_tracing_is_off_unless_the_otel_variables_ask_for_it() -> None:
    assert not tracing.tracing_requested({})
    assert not tracing.tracing_requested({"OTEL_SERVICE_NAME": "kyb"})
    assert tracing.tracing_requested({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert tracing.tracing_requested({"OTEL_TRACES_EXPORTER": "console"})
    assert not tracing.tracing_requested(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true"}
    )
    assert not tracing.tracing_requested({"OTEL_TRACES_EXPORTER": "none"})


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("publish", ["commit", "relay"])
def test_one_trace_follows_a_verification_from_post_to_webhook(
    spans: InMemorySpanExporter,
    world: FakeProvider,  # noqa: F811 - the fixture imported above
    receiver: Receiver,
    api_key: tuple[Any, str],
    settings: Any,
    publish: str,
) -> None:
    """Also when the outbox relay, not the request, sends the job: the job carries the POST's
    trace and the relay sends the message inside it."""
    settings.PIPELINE_PUBLISH = publish
    key, secret = api_key
    webhook_endpoint_create(
        integrator=key.integrator, url=receiver.url, event_types=["verification.completed"]
    )
    merchant = _merchant(world, integrator=key.integrator)
    api = ApiClient(secret)  # a new client: its handler loads the instrumented middleware
    app.control.purge()  # nothing left over from other tests in this broker database
    response = api.post_json("/api/v1/verifications", {"merchant_id": str(merchant.id)})
    assert response.status_code == 202, response.content
    if publish == "relay":
        from verifications.pipeline.relay import pipeline_jobs_relay

        assert pipeline_jobs_relay() == 1  # outside any span: the job's own trace is used
    with start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        queues=[Queue.VERIFICATIONS.value, Queue.WEBHOOKS.value],
        shutdown_timeout=30,
    ):
        for _ in range(600):  # bounded wait for the delivery; not a timing assertion
            if receiver.requests:
                break
            time.sleep(0.1)
    assert receiver.requests, "the webhook was never delivered"

    finished = spans.get_finished_spans()
    by_id = {s.context.span_id: s for s in finished}
    post = next(s for s in finished if s.kind == trace.SpanKind.SERVER and "POST" in s.name)
    run = next(s for s in finished if s.name.startswith("run/") and "verifications.run" in s.name)
    checks = [s for s in finished if s.name.startswith("check ")]
    delivery = next(s for s in finished if s.name.startswith("run/") and "webhooks" in s.name)
    assert receiver.requests[0].headers["KYB-Event-Type"] == "verification.completed"
    webhook_post = next(
        s
        for s in finished
        if s.kind == trace.SpanKind.CLIENT
        and s.attributes
        and str(s.attributes.get("url.full", s.attributes.get("http.url", ""))).startswith(
            receiver.url
        )
    )

    def ancestors(span: Any) -> list[Any]:
        chain = []
        while span.parent is not None and span.parent.span_id in by_id:
            span = by_id[span.parent.span_id]
            chain.append(span)
        return chain

    trace_id = post.context.trace_id
    assert post.parent is None  # the POST starts the trace
    assert {c.name for c in checks} >= {"check identifiers", "check sanctions", "check website"}
    for span in [run, *checks, delivery, webhook_post]:
        assert span.context.trace_id == trace_id, span.name
        assert post in ancestors(span), f"{span.name} is not under the POST"
    assert run in ancestors(checks[0])
    assert run in ancestors(delivery)  # the webhook was enqueued by the run
    assert delivery in ancestors(webhook_post)
