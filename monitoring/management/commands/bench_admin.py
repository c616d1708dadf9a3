"""``manage.py bench_admin --rows 1000000``: how fast the admin changelists open on big tables.

Bulk-inserts ``--rows`` merchants, verifications (in every state) and their pipeline jobs with
``INSERT ... SELECT generate_series`` (one statement per table, tens of seconds for a million),
``ANALYZE``s, then times each changelist through Django's test client as a superuser: the median
of ``--runs`` requests after one warm-up, with the number of queries and the slowest one.
Rows already inserted by an earlier run are reused; ``--cleanup`` deletes them at the end.

Run it against its own database (the name must contain ``bench``), never the test suite's:
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/kyb_bench1m manage.py bench_admin``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from kyb.tenancy.models import Integrator
from merchants.models import Merchant
from verifications.models import BusinessVerification, PipelineJob

MARKER = "bench_admin"
INTEGRATORS = 5
COUNTRIES = ("GB", "DE", "FR", "NL", "US", "IT", "ES", "IE")
# 20 slots: approved 55 %, in_review 15 %, rejected 10 %, pending 10 %, processing 5 %, error 5 %.
STATUSES = (["approved"] * 11 + ["in_review"] * 3 + ["rejected"] * 2 + ["pending"] * 2) + [
    "processing",
    "error",
]
JOB_STATUS_SQL = (
    "CASE {s} WHEN 'pending' THEN 'queued' WHEN 'processing' THEN 'running' "
    "WHEN 'error' THEN (CASE WHEN g.i %% 2 = 0 THEN 'dead' ELSE 'failed' END) "
    "ELSE 'succeeded' END"
)


def _uuid(kind: str) -> str:
    return f"md5('{MARKER}-{kind}-' || g.i)::uuid"


SqlWithParams = tuple[str, list[Any]]


def _insert_select(
    model: type[models.Model], overrides: dict[str, str | SqlWithParams], rows: int
) -> None:
    """``INSERT INTO <table> SELECT ... FROM generate_series(1, rows) AS g(i)``: each concrete
    column from ``overrides`` (SQL over ``g.i``, optionally with its params), else NULL when
    nullable, else the field's Python default. Columns added later need no change here."""
    columns, expressions, values = [], [], []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.AutoField | models.BigAutoField):
            continue
        columns.append(connection.ops.quote_name(field.column))
        override = overrides.get(field.attname)
        if override is not None:
            sql, params = (override, []) if isinstance(override, str) else override
            expressions.append(sql)
            values.extend(params)
        elif field.null:
            expressions.append("NULL")
        else:
            expressions.append("%s")
            values.append(field.get_db_prep_save(field.get_default(), connection))
    # Identifiers come from model metadata (quoted), expressions from this module; values are
    # parameters.
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(expressions)} FROM generate_series(1, %s::integer) AS g(i)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, rows])


@contextmanager
def _no_statement_timeout() -> Iterator[None]:
    """Bulk inserts, ANALYZE and deletes of millions of rows outlast DB_STATEMENT_TIMEOUT_MS;
    lift it for this session while they run (RESET returns to the connection's setting)."""
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")


class Command(BaseCommand):
    """Insert a million rows into a scratch database and time the admin changelists."""

    help = "Benchmark the admin changelists on --rows verifications (own database only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=1_000_000)
        parser.add_argument("--runs", type=int, default=5, help="timed requests per page")
        parser.add_argument(
            "--cleanup", action="store_true", help="delete the bench rows at the end"
        )
        parser.add_argument(
            "--any-database",
            action="store_true",
            help="allow a database whose name does not contain 'bench'",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbose = options["verbosity"] > 1
        name = settings.DATABASES["default"]["NAME"]
        if "bench" not in name and not options["any_database"]:
            raise CommandError(f"database {name!r}: use a scratch database named *bench*")
        integrators = self._integrators()
        have = BusinessVerification.objects.filter(integrator__in=integrators).count()
        if have < options["rows"]:
            with _no_statement_timeout():
                if have:
                    self._cleanup(integrators)
                    integrators = self._integrators()
                self._insert(integrators, options["rows"])
        else:
            self.stdout.write(f"reusing {have} bench verifications in {name}")
        # The pages are timed under the production statement timeout, like real requests.
        self._time_pages(options["rows"], options["runs"])
        if options["cleanup"]:
            with _no_statement_timeout():
                self._cleanup(integrators)

    def _integrators(self) -> list[Integrator]:
        return [
            Integrator.objects.get_or_create(name=f"{MARKER} integrator {k}")[0]
            for k in range(INTEGRATORS)
        ]

    def _insert(self, integrators: list[Integrator], rows: int) -> None:
        ids = [str(i.pk) for i in integrators]
        integrator = (f"(%s::uuid[])[1 + g.i %% {INTEGRATORS}]", [ids])
        created = "now() - g.i * interval '1 second'"
        status_sql = f"(%s::text[])[1 + g.i %% {len(STATUSES)}]"
        started = time.perf_counter()
        with transaction.atomic():  # FKs are deferred: merchants and verifications point both ways
            _insert_select(
                Merchant,
                {
                    "id": _uuid("m"),
                    "integrator_id": integrator,
                    "external_id": f"'{MARKER}-' || g.i",
                    "legal_name": "'Bench Merchant ' || g.i || ' Ltd'",
                    "country": (f"(%s::text[])[1 + g.i %% {len(COUNTRIES)}]", [list(COUNTRIES)]),
                    "verification_id": _uuid("v"),
                    "created_at": created,
                    "updated_at": created,
                },
                rows,
            )
            self._lap("merchants", rows, started)
            _insert_select(
                BusinessVerification,
                {
                    "id": _uuid("v"),
                    "merchant_id": _uuid("m"),
                    "integrator_id": integrator,
                    "status": (status_sql, [STATUSES]),
                    "risk_score": "(g.i %% 101)::smallint",
                    "created_at": created,
                    "updated_at": created,
                },
                rows,
            )
            self._lap("business_verifications", rows, started)
            _insert_select(
                PipelineJob,
                {
                    "kind": "'verification'",
                    "subject_id": f"{_uuid('v')}::text",
                    "queue": "'verifications'",
                    "status": (JOB_STATUS_SQL.format(s=status_sql), [STATUSES]),
                    "attempts": "1",
                    "last_error": (
                        f"CASE WHEN {status_sql} = 'error' "
                        "THEN 'registry: GLEIF API read timed out' ELSE '' END",
                        [STATUSES],
                    ),
                    "task_id": f"'{MARKER}'",
                    "created_at": created,
                    "updated_at": created,
                },
                rows,
            )
            self._lap("pipeline_jobs", rows, started)
        with connection.cursor() as cursor:
            for table in ("merchants", "business_verifications", "pipeline_jobs"):
                cursor.execute(f"ANALYZE {table}")
        self._lap("ANALYZE", rows, started)

    def _lap(self, what: str, rows: int, started: float) -> None:
        self.stdout.write(f"  {what}: {rows} rows, {time.perf_counter() - started:.1f} s elapsed")

    def _pages(self, rows: int) -> list[tuple[str, str]]:
        middle = rows // 2
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT md5('{MARKER}-v-' || %s)::uuid, md5('{MARKER}-m-' || %s)::uuid",
                [middle, middle],
            )
            verification_id, merchant_id = cursor.fetchone() or ("", "")
        v, j, m = (
            "/admin/verifications/businessverification/",
            "/admin/verifications/pipelinejob/",
            "/admin/merchants/merchant/",
        )
        return [
            ("verifications: default", v),
            ("verifications: status=in_review", f"{v}?status__exact=in_review"),
            ("verifications: by risk (column)", f"{v}?o=6"),
            ("verifications: by risk, descending", f"{v}?o=-6"),
            ("verifications: band=high", f"{v}?band=high"),
            ("verifications: search by id", f"{v}?q={verification_id}"),
            ("verifications: search by external id", f"{v}?q={MARKER}-{middle}"),
            ("verification page", f"{v}{verification_id}/change/"),
            ("jobs: default", j),
            ("jobs: status=dead", f"{j}?status__exact=dead"),
            ("jobs: age < 1 h", f"{j}?age=1h"),
            ("jobs: search by subject", f"{j}?q={verification_id}"),
            ("merchants: default", m),
            ("merchants: country=DE", f"{m}?country=DE"),
            ("merchants: search by id", f"{m}?q={merchant_id}"),
            ("merchants: search by name", f"{m}?q=Merchant+{middle}"),
            ("api keys: default", "/admin/tenancy/apikey/"),
        ]

    def _time_pages(self, rows: int, runs: int) -> None:
        user = User.objects.filter(username=MARKER).first() or User.objects.create_superuser(
            MARKER, f"{MARKER}@example.com", None
        )
        client = Client()
        client.force_login(user)
        self.stdout.write(
            f"{'page':36s} {'median':>9s} {'min':>9s} {'queries':>7s} {'slowest query':>13s}"
        )
        # The pages are measured, not the login: the 2FA gate (on by default without DEBUG)
        # would answer every request with a redirect.
        with override_settings(
            ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False, DEBUG=False, ADMIN_REQUIRE_2FA=False
        ):
            for label, path in self._pages(rows):
                self._time_page(client, label, path, runs)

    def _time_page(self, client: Client, label: str, path: str, runs: int) -> None:
        status = client.get(path).status_code  # warm-up (caches, connection, templates)
        if status != 200:  # a redirect or an error page is fast and would time nothing useful
            raise CommandError(f"{label}: GET {path} answered HTTP {status}, not 200")
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(path)
                times.append(time.perf_counter() - started)
        slowest = max((float(q["time"]) for q in queries.captured_queries), default=0.0)
        self.stdout.write(
            f"{label:36s} {1000 * statistics.median(times):7.1f}ms {1000 * min(times):7.1f}ms "
            f"{len(queries):7d} {1000 * slowest:11.1f}ms"
        )
        if self.verbose:
            for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:2]:
                self.stdout.write(f"      {float(q['time']) * 1000:.1f}ms {q['sql'][:300]}")

    def _cleanup(self, integrators: list[Integrator]) -> None:
        """Delete the bench rows (one transaction: the deferred FKs are checked at commit)."""
        ids = [i.pk for i in integrators]
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM pipeline_jobs WHERE task_id = %s", [MARKER])
            cursor.execute(
                "DELETE FROM verification_events WHERE verification_id IN "
                "(SELECT id FROM business_verifications WHERE integrator_id = ANY(%s))",
                [ids],
            )
            cursor.execute(
                "DELETE FROM business_verifications WHERE integrator_id = ANY(%s)", [ids]
            )
            cursor.execute("DELETE FROM merchants WHERE integrator_id = ANY(%s)", [ids])
            cursor.execute("DELETE FROM integrators WHERE id = ANY(%s)", [ids])
        self.stdout.write(f"bench rows deleted in {time.perf_counter() - started:.1f} s")
