"""``manage.py bench_batch``: time to accept and to decide one large verification batch."""

from __future__ import annotations

import io
import logging
import time
import uuid
from typing import Any

import orjson
from django.conf import settings
from django.core import signals
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, transaction
from django.test.utils import override_settings

from batches import tasks
from batches.models import BatchItem, VerificationBatch
from batches.selectors import batch_counts
from kyb.tenancy.services import api_key_create, integrator_get_or_create
from verifications import tasks as verification_tasks
from verifications.models import RegistryEntity
from verifications.registries.loader import registry_load

DESCRIPTIONS = (
    "Online retailer of outdoor clothing, jackets and boots",
    "Independent coffee shop and bakery",
    "Software consultancy building web applications",
    "Used car dealer with a workshop",
    "Hair salon and beauty treatments",
)
INVALID_EVERY = 100  # 1 % of the items are invalid (a missing legal name), as in real uploads


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    """Build N realistic merchants (names and LEIs from the local register table, a
    description, an owner, a tax id; 1 % invalid), then:

    - accept: one ``POST /api/v1/verification-batches`` through the production WSGI stack
      (body wrapper, middleware, auth, parsing, per-item validation, bulk insert), in process;
    - decide (default, "eager"): run the real task code in this one process, as one bulk
      worker would: every ``kyb.batches.materialize`` chunk, then ``kyb.verifications.run``
      for every verification, with every offline check (the website check is off). All of it
      is rolled back at the end, so nothing reaches the broker.
    - ``--celery``: commit, let the running workers (bulk queue) do the fan-out and runs, and
      time until the batch is completed; point it at a scratch database."""

    help = "Benchmark batch submission: time to accept and to decide N items (default 10,000)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--items", type=int, default=10_000, help="batch size")
        parser.add_argument(
            "--celery",
            action="store_true",
            help="decide with the running workers (commits rows: use a scratch database)",
        )
        parser.add_argument(
            "--accept-only", action="store_true", help="time the POST only (rolled back)"
        )
        parser.add_argument("--timeout", type=float, default=3600, help="--celery: give up after")

    def handle(self, *args: Any, **options: Any) -> None:
        if not RegistryEntity.objects.exists():
            self.stdout.write("registry table empty: loading the bundled GLEIF sample")
            registry_load()
        count = options["items"]
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # one line per task
        if options["celery"]:
            self._bench_celery(count, options["timeout"])
            return
        with override_settings(WEBSITE_CHECK_ENABLED=False, REGISTRY_ADAPTERS=["local"]):
            try:
                with transaction.atomic():
                    batch_id = self._accept(count)
                    if not options["accept_only"]:
                        self._decide_eager(batch_id)
                    raise _Rollback
            except _Rollback:
                pass

    def _body(self, count: int) -> bytes:
        rows: list[RegistryEntity | None] = [*RegistryEntity.objects.order_by("lei")[:count]]
        rows = rows or [None]
        stamp = time.time_ns()
        items = []
        for i in range(count):
            row = rows[i % len(rows)]
            merchant = {
                "external_id": f"bench-{stamp}-{i}",
                "legal_name": row.legal_name if row else f"Bench Trading {i} Ltd",
                "lei": row.lei if row else "",
                "country": (row.country if row else "") or "GB",
                "description": DESCRIPTIONS[i % len(DESCRIPTIONS)],
                "tax_id": f"{i:09d}",
                "email": f"owner{i}@example.com",
                "people": [{"name": f"Alex Example {i}", "role": "owner"}],
            }
            if i % INVALID_EVERY == INVALID_EVERY - 1:
                merchant.pop("legal_name")
            items.append({"merchant": merchant})
        return orjson.dumps(items)

    def _post(self, body: bytes, key: str) -> dict[str, Any]:
        from kyb.wsgi import application

        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/v1/verification-batches",
            "QUERY_STRING": "",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "localhost",
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_AUTHORIZATION": f"Bearer {key}",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json",
        }
        statuses: list[str] = []
        # As Django's test client does: the request runs inside the bench's rolled-back
        # transaction, so the handler must not close the connection around it.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "localhost"]):
            chunks = application(environ, lambda status, headers: statuses.append(status))
        answer = orjson.loads(b"".join(chunks))
        if not statuses[0].startswith("202"):
            raise CommandError(f"batch refused: {statuses[0]} {answer}")
        return dict(answer)

    def _accept(self, count: int) -> str:
        integrator = integrator_get_or_create(name=f"bench-batch-{time.time_ns()}")
        _, key = api_key_create(integrator=integrator, name="bench")
        body = self._body(count)
        started = time.perf_counter()
        answer = self._post(body, key.plaintext)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"accept: {count} items ({len(body) / 1_048_576:.1f} MiB JSON, "
            f"{len(answer['errors'])} invalid) in {elapsed:.2f}s "
            f"({count / elapsed:.0f} items/s): POST through the WSGI stack in process"
        )
        return str(answer["id"])

    def _decide_eager(self, batch_id: str) -> None:
        total = VerificationBatch.objects.get(pk=batch_id).total
        size = settings.BATCH_CHUNK_SIZE
        started = time.perf_counter()
        for start in range(0, total, size):
            tasks.materialize.apply(
                kwargs={"batch_id": batch_id, "start": start, "stop": start + size}
            )
        materialized = time.perf_counter() - started
        ids = BatchItem.objects.filter(batch__pk=batch_id).exclude(verification=None)
        for verification_id in ids.values_list("verification_id", flat=True).iterator():
            verification_tasks.run.apply(kwargs={"verification_id": str(verification_id)})
        elapsed = time.perf_counter() - started
        batch = VerificationBatch.objects.get(pk=batch_id)
        if batch.completed_at is None:
            raise CommandError(f"batch not completed: {batch_counts(batch_id=batch.id)}")
        self.stdout.write(
            f"decide (eager: real task code in this one process, i.e. one bulk worker, website "
            f"check off): {total} items in {elapsed:.2f}s ({total / elapsed:.1f} items/s); "
            f"of which materialising merchants + verifications + jobs {materialized:.2f}s"
        )
        self.stdout.write(f"  counts: {batch_counts(batch_id=batch.id)}")

    def _bench_celery(self, count: int, timeout: float) -> None:
        from kyb.celery import app

        if not app.control.ping(timeout=2.0):
            raise CommandError("no Celery worker answers; start workers on the bulk queue")
        started_accept = time.perf_counter()
        batch_id = self._accept(count)
        started = time.perf_counter()
        while not VerificationBatch.objects.filter(
            pk=batch_id, completed_at__isnull=False
        ).exists():
            if time.perf_counter() - started > timeout:
                counts = batch_counts(batch_id=uuid.UUID(batch_id))
                raise CommandError(f"not completed: {counts}")
            time.sleep(0.5)
        elapsed = time.perf_counter() - started_accept
        self.stdout.write(
            f"decide (celery: the running workers, bulk queue): {count} items completed "
            f"{elapsed:.2f}s after the POST started"
        )
        self.stdout.write(f"  counts: {batch_counts(batch_id=uuid.UUID(batch_id))}")
