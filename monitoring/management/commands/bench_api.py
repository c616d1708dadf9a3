"""``manage.py bench_api``: in-process CPU per API request, as a multiple of ``/healthz``.

Tom Christie's method ("Web API performance: profiling Django REST framework"): call the WSGI
application directly, many times, and read the process's CPU clock around each call. The same
run times ``/healthz`` (the cheapest thing the stack answers), so the figures are ratios that a
noisy, shared machine leaves stable. The CPU that PostgreSQL and Redis spend is not counted
(it is another process); the round trips' client side is.

It commits its own integrator, merchants and verifications (decided by the real pipeline, so
rows carry real evidence) and deletes them at the end: point it at a scratch database.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings

from kyb.cache import cache_evict
from kyb.tenancy.models import Integrator
from kyb.tenancy.services import api_key_create
from merchants.models import Merchant
from verifications.models import BusinessVerification, PipelineJob
from verifications.pipeline import verification_run
from verifications.selectors import VERIFICATION_NAMESPACE
from verifications.services import verification_create

Environ = dict[str, Any]


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    _start_response.status = status  # type: ignore[attr-defined]
    return lambda data: None


class Command(BaseCommand):
    help = "Benchmark API requests in-process: CPU µs per request and x /healthz."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--calls", type=int, default=1000, help="timed calls per request")
        parser.add_argument("--posts", type=int, default=300, help="timed POSTs")
        parser.add_argument("--rows", type=int, default=60, help="decided verifications seeded")
        parser.add_argument("--profile", default="", help="cProfile one case (name) to stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        from kyb.wsgi import application

        self.app = application
        integrator, plaintext, merchant, ids = self._seed(options["rows"])
        self.auth = f"Bearer {plaintext}"
        try:
            self._run(options, merchant, ids)
        finally:
            self._cleanup(integrator)

    # --- data -----------------------------------------------------------------------------
    def _seed(self, rows: int) -> tuple[Integrator, str, Merchant, list[uuid.UUID]]:
        integrator = Integrator.objects.create(name=f"bench-api-{time.time_ns()}")
        _, new = api_key_create(integrator=integrator, scopes=["read", "write"], name="bench")
        merchants = [
            Merchant.objects.create(
                integrator=integrator,
                external_id=f"bench-{i}",
                legal_name=f"Bench Outdoor Supplies {i} Ltd",
                country="GB",
                registration_number="09446231",
                description="Online retailer of outdoor clothing, jackets and boots",
                people=[{"name": f"Alex Example {i}", "role": "owner"}],
            )
            for i in range(rows)
        ]
        ids = []
        with override_settings(WEBSITE_CHECK_ENABLED=False, REGISTRY_ADAPTERS=["local"]):
            for merchant in merchants:
                verification = verification_create(merchant=merchant)
                verification_run(verification_id=verification.id, task_id=f"bench-{uuid.uuid4()}")
                ids.append(verification.id)
        return integrator, new.plaintext, merchants[0], ids

    def _cleanup(self, integrator: Integrator) -> None:
        verification_ids = [
            str(v)
            for v in BusinessVerification.objects.filter(integrator=integrator).values_list(
                "id", flat=True
            )
        ]
        PipelineJob.objects.filter(subject_id__in=verification_ids).delete()
        Merchant.objects.filter(integrator=integrator).update(verification=None)
        BusinessVerification.objects.filter(integrator=integrator).delete()
        Merchant.objects.filter(integrator=integrator).delete()
        integrator.delete()

    # --- requests -------------------------------------------------------------------------
    def _environ(self, method: str, path: str, body: bytes = b"", **headers: str) -> Environ:
        path, _, query = path.partition("?")
        environ: Environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "localhost",
            "HTTP_X_FORWARDED_PROTO": "https",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)) if body else "",
            "CONTENT_TYPE": "application/json" if body else "",
        }
        for name, value in headers.items():
            environ[f"HTTP_{name.upper()}"] = value
        return environ

    def _call(self, environ: Environ) -> str:
        result: Iterable[bytes] = self.app(environ, _start_response)
        try:
            for _ in result:
                pass
        finally:
            close = getattr(result, "close", None)
            if close:
                close()
        return str(_start_response.status)  # type: ignore[attr-defined]

    def _time(
        self, name: str, make: Callable[[int], Environ], calls: int, before: Callable[[], Any]
    ) -> list[float]:
        expected = "2"
        for i in range(min(50, calls)):  # warm-up: pools, caches, lazy imports
            before()
            self._call(make(-1 - i))
        samples = []
        for i in range(calls):
            before()
            environ = make(i)
            start = time.process_time_ns()
            status = self._call(environ)
            samples.append((time.process_time_ns() - start) / 1000)
            if not status.startswith(expected):
                raise RuntimeError(f"{name}: unexpected status {status}")
        return samples

    def _run(self, options: dict[str, Any], merchant: Merchant, ids: list[uuid.UUID]) -> None:
        calls, posts = options["calls"], options["posts"]
        detail = f"/api/v1/verifications/{ids[0]}"
        post_body = orjson.dumps({"merchant_id": str(merchant.id)})
        # the README's stateless call: the classifier itself, behind the API's auth and limits
        classify_body = orjson.dumps(
            {"name": "Acme Outdoor", "description": "Online outdoor clothing shop"}
        )

        def nothing() -> None:
            return None

        def evict() -> None:
            cache_evict(VERIFICATION_NAMESPACE, ids[0])

        evict()  # the seeding left a tombstone: start the cached case from a fill

        cases: dict[str, tuple[Callable[[int], Environ], int, Callable[[], Any]]] = {
            "healthz": (lambda i: self._environ("GET", "/healthz"), calls, nothing),
            "get_cached": (
                lambda i: self._environ("GET", detail, AUTHORIZATION=self.auth),
                calls,
                nothing,
            ),
            "get_uncached": (
                lambda i: self._environ("GET", detail, AUTHORIZATION=self.auth),
                calls,
                evict,
            ),
            "list_50": (
                lambda i: self._environ(
                    "GET", "/api/v1/verifications?limit=50", AUTHORIZATION=self.auth
                ),
                max(calls // 4, 50),
                nothing,
            ),
            "classify": (
                lambda i: self._environ(
                    "POST", "/api/v1/classify", classify_body, AUTHORIZATION=self.auth
                ),
                max(calls // 4, 50),
                nothing,
            ),
            "post": (
                lambda i: self._environ(
                    "POST",
                    "/api/v1/verifications",
                    post_body,
                    AUTHORIZATION=self.auth,
                    IDEMPOTENCY_KEY=f"bench-{uuid.uuid4()}",
                ),
                posts,
                nothing,
            ),
        }
        if options["profile"]:
            self._profile(options["profile"], *cases[options["profile"]])
            return
        with override_settings(API_RATE_LIMIT=10**9):
            results = {name: self._time(name, *case) for name, case in cases.items()}
        base = statistics.median(results["healthz"])
        header = f"{'request':<14}{'calls':>7}{'median µs':>12}{'p90 µs':>10}{'x healthz':>11}"
        self.stdout.write(header)
        for name, samples in results.items():
            median = statistics.median(samples)
            p90 = sorted(samples)[int(0.9 * (len(samples) - 1))]
            self.stdout.write(
                f"{name:<14}{len(samples):>7}{median:>12.0f}{p90:>10.0f}{median / base:>10.1f}x"
            )

    def _profile(
        self, name: str, make: Callable[[int], Environ], calls: int, before: Callable[[], Any]
    ) -> None:
        import cProfile
        import pstats

        for i in range(50):
            before()
            self._call(make(-1 - i))
        profiler = cProfile.Profile(time.process_time)  # CPU, as the timings: not waits
        with override_settings(API_RATE_LIMIT=10**9):
            for i in range(calls):
                before()
                environ = make(i)
                profiler.enable()
                self._call(environ)
                profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(25)
