"""``manage.py seed_loadtest``: the load test's data set (``make loadtest``).

One integrator (``loadtest``) with ``--count`` merchants, each with one decided verification
carrying real check evidence (one run of the real pipeline, its results copied to every row),
written with bulk inserts in batches. Re-running with the same count does nothing but rewrite
the key and id files. Writes, under ``--out``:

- ``key``: a fresh API key of the integrator (read and write);
- ``verifications.txt`` and ``merchants.txt``: one id a line, in creation order: the seeded
  verifications (each merchant's first), not those a load test's POSTs added since.

Refuses without DEBUG or ``--force``: it is for a scratch database.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test.utils import override_settings

from kyb.tenancy.models import Integrator
from kyb.tenancy.services import api_key_create, integrator_get_or_create
from merchants.models import Merchant
from verifications.models import BusinessVerification
from verifications.pipeline import verification_run
from verifications.services import verification_create

NAME = "loadtest"


class Command(BaseCommand):
    help = "Seed the load test's merchants and decided verifications (scratch databases only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=100_000)
        parser.add_argument("--batch", type=int, default=5_000)
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "var" / "loadtest"))
        parser.add_argument("--force", action="store_true", help="run without DEBUG")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or options["force"]):
            raise CommandError("seed_loadtest writes 2 x --count rows: DEBUG=true or --force")
        integrator = integrator_get_or_create(name=NAME)
        have = Merchant.objects.filter(
            integrator=integrator, external_id__startswith="lt-", verification__isnull=False
        ).count()
        started = time.perf_counter()
        if have < options["count"]:
            template = self._template(integrator)
            Merchant.objects.filter(  # a batch interrupted before its link step
                integrator=integrator, external_id__startswith="lt-", verification__isnull=True
            ).delete()
            for offset in range(have, options["count"], options["batch"]):
                size = min(options["batch"], options["count"] - offset)
                self._batch(integrator, offset, size, template)
                self._link(integrator)
                self.stdout.write(f"  {offset + size} / {options['count']}")
            with connection.cursor() as cursor:  # plans for a table that just grew 100x
                cursor.execute("ANALYZE merchants; ANALYZE business_verifications")
        self._write(integrator, Path(options["out"]))
        self.stdout.write(
            f"seeded {options['count']} merchants + verifications for '{NAME}' "
            f"in {time.perf_counter() - started:.1f}s; files in {options['out']}"
        )

    def _template(self, integrator: Integrator) -> BusinessVerification:
        """One real run: its checks, risk and timings are what every seeded row carries."""
        existing = Merchant.objects.filter(integrator=integrator, external_id="template").first()
        if existing is not None and existing.verification_id:
            return BusinessVerification.objects.get(pk=existing.verification_id)
        merchant = Merchant.objects.create(
            integrator=integrator,
            external_id="template",
            legal_name="Template Outdoor Supplies Ltd",
            country="GB",
            registration_number="09446231",
            description="Online retailer of outdoor clothing, jackets and boots",
            people=[{"name": "Alex Example", "role": "owner"}],
        )
        with override_settings(WEBSITE_CHECK_ENABLED=False, REGISTRY_ADAPTERS=["local"]):
            verification = verification_create(merchant=merchant)
            verification_run(verification_id=verification.id, task_id=f"seed-{uuid.uuid4()}")
        return BusinessVerification.objects.get(pk=verification.id)

    @transaction.atomic
    def _batch(
        self, integrator: Integrator, offset: int, size: int, template: BusinessVerification
    ) -> None:
        """Copies of the template rows made by PostgreSQL (every other column as the template
        has it, so new columns need no change here): seconds for 100,000, not minutes."""
        merchant = {
            "id": "gen_random_uuid()",
            "external_id": "'lt-' || n",
            "legal_name": "'Loadtest Trading ' || n || ' Ltd'",
            "people": "jsonb_build_array(jsonb_build_object('name', 'P ' || n, 'role', 'owner'))",
            "verification_id": "NULL",
            "created_at": "now() - (n || ' seconds')::interval",
            "updated_at": "now()",
        }
        verification = {
            "id": "gen_random_uuid()",
            "merchant_id": "m.id",
            "status": "(ARRAY['approved','approved','approved','approved','approved','approved',"
            "'approved','in_review','in_review','rejected'])[1 + abs(hashtext(m.id::text) %% 10)]",
            "created_at": "m.created_at",
        }
        with connection.cursor() as cursor:
            cursor.execute(
                _copy_sql(
                    Merchant,
                    merchant,
                    "generate_series(%s::integer, %s::integer) AS n",
                    "t.id = %s",
                ),
                [offset, offset + size - 1, template.merchant_id],
            )
            cursor.execute(
                _copy_sql(
                    BusinessVerification,
                    verification,
                    "merchants m",
                    "t.id = %s AND m.integrator_id = %s AND m.verification_id IS NULL "
                    "AND m.external_id LIKE 'lt-%%' AND NOT EXISTS (SELECT 1 FROM "
                    "business_verifications b WHERE b.merchant_id = m.id)",
                ),
                [template.pk, integrator.pk],
            )

    def _link(self, integrator: Integrator) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE merchants m SET verification_id = v.id FROM business_verifications v "
                "WHERE v.merchant_id = m.id AND m.integrator_id = %s AND m.verification_id IS NULL",
                [integrator.pk],
            )

    def _write(self, integrator: Integrator, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        _, new = api_key_create(integrator=integrator, scopes=["read", "write"], name="loadtest")
        (out / "key").write_text(new.plaintext + "\n")
        # The seeded rows only: each merchant's first verification. A previous load test's POSTs
        # added newer ones, and listing those too grew the read set run after run (past what
        # the load test warms: its Zipf hit rate fell to 85 % after a few runs).
        first = (
            BusinessVerification.objects.filter(integrator=integrator)
            .order_by("merchant_id", "created_at")
            .distinct("merchant_id")
            .values_list("id", "merchant_id", "created_at")
        )
        ids = [(v, m) for v, m, _ in sorted(first, key=lambda row: (row[2], row[0]))]
        (out / "verifications.txt").write_text("".join(f"{v}\n" for v, _ in ids))
        (out / "merchants.txt").write_text("".join(f"{m}\n" for _, m in ids))


def _copy_sql(model: Any, overrides: dict[str, str], source: str, where: str) -> str:
    """INSERT INTO the model's table SELECT each column from the template row ``t`` unless
    ``overrides`` gives an expression for it."""
    table = model._meta.db_table
    columns = [f.column for f in model._meta.concrete_fields]
    values = [overrides.get(c, f't."{c}"') for c in columns]
    return (
        f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) '  # noqa: S608
        f'SELECT {", ".join(values)} FROM {source}, "{table}" t WHERE {where}'
    )
