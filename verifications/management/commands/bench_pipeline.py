"""``manage.py bench_pipeline``: end-to-end verifications per second of one worker process."""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings

from kyb.tenancy.models import Integrator
from merchants.models import Merchant
from verifications.models import BusinessVerification, RegistryEntity, VerificationStatus
from verifications.pipeline import verification_run
from verifications.registries.loader import registry_load
from verifications.services import verification_create

DESCRIPTIONS = (
    "Online retailer of outdoor clothing, jackets and boots",
    "Independent coffee shop and bakery",
    "Software consultancy building web applications",
    "Used car dealer with a workshop",
    "Hair salon and beauty treatments",
)


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    """Create N merchants and verifications and run each through the real pipeline service
    (the code the ``kyb.verifications.run`` task calls) in this one process, with every offline
    check: identifiers, local registry table, sanctions (loaded lists), industry classifier. The
    website check needs the network and is off. Everything is rolled back at the end.

    ``--celery`` instead enqueues to the running workers (start them with
    ``WEBSITE_CHECK_ENABLED=false REGISTRY_ADAPTERS=local``) and times until all are decided;
    those rows are committed, so point it at a scratch database."""

    help = "Benchmark the verification pipeline: verifications/second for one worker process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=300, help="verifications to time")
        parser.add_argument("--warmup", type=int, default=10, help="untimed runs first")
        parser.add_argument(
            "--celery",
            action="store_true",
            help="enqueue to the running workers instead (commits rows: use a scratch database)",
        )
        parser.add_argument("--timeout", type=float, default=600, help="--celery: give up after")

    def handle(self, *args: Any, **options: Any) -> None:
        if not RegistryEntity.objects.exists():
            self.stdout.write("registry table empty: loading the bundled GLEIF sample")
            registry_load()
        self._report_sources()
        if options["celery"]:
            self._bench_celery(options["count"], options["timeout"])
            return
        with override_settings(WEBSITE_CHECK_ENABLED=False, REGISTRY_ADAPTERS=["local"]):
            try:
                with transaction.atomic():
                    self._bench(options["count"], options["warmup"])
                    raise _Rollback
            except _Rollback:
                pass

    def _report_sources(self) -> None:
        try:
            from screening.selectors import watchlists_active

            lists = list(watchlists_active().values_list("source", flat=True))
        except ImportError:
            lists = []
        self.stdout.write(f"sanctions lists loaded: {', '.join(lists) or 'none (check neutral)'}")

    def _merchants(self, count: int) -> list[Merchant]:
        integrator = Integrator.objects.create(name=f"bench-{time.time_ns()}")
        rows: list[RegistryEntity] = list(
            RegistryEntity.objects.filter(country="GB").order_by("lei")[:count]
        ) or list(RegistryEntity.objects.order_by("lei")[:count])
        return [
            Merchant.objects.create(
                integrator=integrator,
                legal_name=row.legal_name,
                lei=row.lei,
                country=row.country or "GB",
                description=DESCRIPTIONS[i % len(DESCRIPTIONS)],
                people=[{"name": f"Alex Example {i}", "role": "owner"}],
            )
            for i, row in enumerate(rows * (count // max(len(rows), 1) + 1))
        ][:count]

    def _bench(self, count: int, warmup: int) -> None:
        merchants = self._merchants(count + warmup)
        for merchant in merchants[:warmup]:
            verification = verification_create(merchant=merchant)
            verification_run(verification_id=verification.id, task_id=f"bench-{verification.id}")
        started = time.perf_counter()
        ids = []
        for merchant in merchants[warmup:]:
            verification = verification_create(merchant=merchant)
            verification_run(verification_id=verification.id, task_id=f"bench-{verification.id}")
            ids.append(verification.id)
        elapsed = time.perf_counter() - started
        self._print(ids, elapsed)

    def _bench_celery(self, count: int, timeout: float) -> None:
        from kyb.celery import app

        workers = app.control.ping(timeout=2.0)
        if not workers:
            raise CommandError("no Celery worker answers; start one on the verifications queue")
        stats = app.control.inspect(timeout=2.0).stats() or {}
        processes = sum(len(s.get("pool", {}).get("processes", [])) for s in stats.values())
        merchants = self._merchants(count)
        started = time.perf_counter()
        ids = [verification_create(merchant=m).id for m in merchants]
        pending = BusinessVerification.objects.filter(
            pk__in=ids, status__in=[VerificationStatus.PENDING, VerificationStatus.PROCESSING]
        )
        while pending.exists():
            if time.perf_counter() - started > timeout:
                raise CommandError(f"{pending.count()} verifications still not decided")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        rate = len(ids) / elapsed
        self.stdout.write(
            f"{len(ids)} verifications through Celery in {elapsed:.2f}s: {rate:.1f}/s with "
            f"{processes or '?'} worker process(es)"
            + (f", {rate / processes:.1f}/s per process" if processes else "")
        )
        self._print(ids, elapsed, summary=False)

    def _print(self, ids: list[Any], elapsed: float, *, summary: bool = True) -> None:
        per_check: dict[str, list[int]] = defaultdict(list)
        outcomes: dict[str, int] = defaultdict(int)
        for verification in BusinessVerification.objects.filter(pk__in=ids):
            outcomes[verification.status] += 1
            for name, result in verification.checks.items():
                per_check[name].append(int(result.get("duration_ms", 0)))
        rate = len(ids) / elapsed if elapsed else 0.0
        if summary:
            self.stdout.write(
                f"{len(ids)} verifications in {elapsed:.2f}s: {rate:.1f} verifications/s "
                f"per worker process ({1000 * elapsed / max(len(ids), 1):.1f} ms each, "
                f"create + checks + decision, DB {settings.DATABASES['default']['NAME']})"
            )
        for name, values in sorted(per_check.items()):
            self.stdout.write(
                f"  {name:12s} mean {statistics.fmean(values):6.1f} ms  "
                f"p95 {sorted(values)[int(0.95 * (len(values) - 1))]:5d} ms"
            )
        self.stdout.write(f"  outcomes: {dict(outcomes)}")
