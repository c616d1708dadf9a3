"""OpenTelemetry tracing: off by default, on through the standard ``OTEL_*`` variables.

Tracing starts when an exporter is configured, i.e. ``OTEL_EXPORTER_OTLP_ENDPOINT`` or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` is set, or ``OTEL_TRACES_EXPORTER`` names one (``otlp``,
``console``), and ``OTEL_SDK_DISABLED`` is not ``true``. Everything else (service name,
resource attributes, sampler, headers, batch sizes) is read by the SDK from its own ``OTEL_*``
variables. Instrumented: Django (server spans), Celery (publish and run, with the trace context
carried in the message headers), psycopg, redis and urllib3 (outbound HTTP: registries, websites,
webhooks). ``span()`` adds our own spans (one per pipeline check); without tracing it is a no-op.

Called from ``KybConfig.ready()``, so gunicorn workers, Celery processes and management commands
all start it the same way. docs/observability.md "Tracing".
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_configured = False


def tracing_requested(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Whether the ``OTEL_*`` variables ask for traces to be exported."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    return bool(
        exporter
        or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def _exporter_from_env() -> Any:
    name = os.environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() or "otlp"
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if name != "otlp":
        logger.warning("OTEL_TRACES_EXPORTER=%s is not supported here; using otlp", name)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()  # endpoint, headers, timeout from OTEL_EXPORTER_OTLP_*


def configure_tracing(*, exporter: Any = None, batch: bool = True) -> bool:
    """Install the tracer provider and the instrumentations, once per process. Returns whether
    tracing is on. ``exporter`` overrides the environment (tests pass an in-memory one)."""
    global _configured
    if exporter is None and not tracing_requested():
        return False
    with _lock:
        if _configured:
            return True
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

        provider = TracerProvider(
            resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "kyb")})
        )
        chosen = exporter if exporter is not None else _exporter_from_env()
        # BatchSpanProcessor re-creates its export thread after fork (gunicorn, Celery prefork).
        processor = BatchSpanProcessor(chosen) if batch else SimpleSpanProcessor(chosen)
        provider.add_span_processor(processor)
        trace.set_tracer_provider(provider)
        _instrument()
        _configured = True
    return True


def _instrument() -> None:
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor

    # Probes and scrapes would be most of the spans and say nothing.
    DjangoInstrumentor().instrument(excluded_urls="healthz,readyz,metrics")
    CeleryInstrumentor().instrument()
    PsycopgInstrumentor().instrument(enable_commenter=False)
    RedisInstrumentor().instrument()
    URLLib3Instrumentor().instrument()


@contextmanager
def span(name: str, **attributes: Any) -> Iterator[Any]:
    """A child span of whatever is current (a no-op span while tracing is off)."""
    tracer = trace.get_tracer("kyb")  # looked up per call: follows the provider in force
    with tracer.start_as_current_span(name, attributes=attributes or None) as current:
        yield current


def trace_carrier() -> dict[str, str]:
    """The current trace as W3C headers (``traceparent``...), to store with work that another
    process sends on later (the outbox relay); empty when no span is recording."""
    if not trace.get_current_span().get_span_context().is_valid:
        return {}
    from opentelemetry import propagate

    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextmanager
def trace_resumed(carrier: dict[str, Any]) -> Iterator[None]:
    """Run the block inside the trace ``carrier`` holds (see :func:`trace_carrier`), so what
    it sends (a Celery message) continues that trace; as is when the carrier is empty."""
    if not carrier:
        yield
        return
    from opentelemetry import context, propagate

    token = context.attach(propagate.extract(carrier))
    try:
        yield
    finally:
        context.detach(token)
