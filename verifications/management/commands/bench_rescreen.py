"""``manage.py bench_rescreen``: how long ongoing monitoring takes to re-screen every monitored
merchant against one list change (``make bench-rescreen``)."""

from __future__ import annotations

import csv
import random
import time
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from kyb.tenancy.models import Integrator
from merchants.models import Merchant
from screening.loaders import parse_files
from screening.models import WatchList, WatchListChange, WatchListEntry
from verifications.models import BusinessVerification, VerificationStatus
from verifications.monitoring import merchants_rescreen

BENCH = Path(__file__).resolve().parents[3] / "screening" / "data" / "bench"
SDN = Path(__file__).resolve().parents[3] / "screening" / "data" / "ofac_sdn_2021-07"
# Words that turn one real company name into many distinct ones (suffixes, places, trades).
_PREFIXES = ("", "North ", "Global ", "Prime ", "Blue ", "First ", "United ", "Metro ")
_SUFFIXES = ("", " Holdings", " Trading", " Services", " Group", " Logistics", " Partners")


class _Rollback(Exception):
    pass


def _read(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row[column] for row in csv.DictReader(handle) if row[column].strip()]


class Command(BaseCommand):
    """Create N approved merchants with P people each (real GLEIF company names and Faker person
    names, varied), and a list change of D real OFAC SDN entries (added); then time
    ``verifications.monitoring.merchants_rescreen`` - the code the re-screen task runs: read the
    monitored merchants, screen the legal name, DBA and people against only the change's
    entries, open a review case per match - in this one process. ``--planted`` merchants carry a
    delta entry's name, so cases are opened too. Everything is rolled back at the end."""

    help = "Benchmark ongoing monitoring: re-screen N merchants against a D-entry list change."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--merchants", type=int, default=100_000)
        parser.add_argument("--people", type=int, default=2, help="people per merchant")
        parser.add_argument("--delta", type=int, default=500, help="entries added by the change")
        parser.add_argument("--planted", type=int, default=20, help="merchants that match")
        parser.add_argument("--seed", type=int, default=11)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:  # a bulk setup on a busy machine
                    cursor.execute("SET LOCAL statement_timeout = 0")
                self._bench(options)
                raise _Rollback
        except _Rollback:
            pass

    def _bench(self, options: dict[str, Any]) -> None:
        rng = random.Random(options["seed"])
        started = time.monotonic()
        change, delta_names = self._change(options["delta"], rng)
        self._merchants(options, rng, delta_names)
        self.stdout.write(
            f"setup: {options['merchants']:,} merchants x {options['people']} people, "
            f"{len(change.added)}-entry change ({time.monotonic() - started:.1f} s, not timed)"
        )
        names = options["merchants"] * (1 + options["people"])
        cpu, wall = time.process_time(), time.monotonic()
        alerts = merchants_rescreen(change)
        wall, cpu = time.monotonic() - wall, time.process_time() - cpu
        self.stdout.write(
            f"re-screen: {wall:.1f} s wall, {cpu:.1f} s CPU in this process, "
            f"{names / wall:,.0f} names/s, {alerts} review case(s) opened "
            f"({options['planted']} planted)"
        )

    def _change(self, size: int, rng: random.Random) -> tuple[WatchListChange, list[str]]:
        parsed = parse_files("ofac_sdn", sorted(SDN.glob("*.csv")))
        chosen = rng.sample(parsed.entries, min(size, len(parsed.entries)))
        watchlist = WatchList.objects.create(
            source="custom", name="bench-rescreen", version=1, entry_count=len(chosen)
        )
        WatchListEntry.objects.bulk_create(
            WatchListEntry(
                watchlist=watchlist,
                entity_id=f"bench-rescreen:{e.entity_id}",
                entity_type=e.entity_type,
                primary_name=e.primary_name,
                aliases=e.aliases,
                programs=e.programs,
                countries=e.countries,
                content_hash=e.content_hash(),
            )
            for e in chosen
        )
        change = WatchListChange.objects.create(
            watchlist=watchlist,
            source="custom",
            name="bench-rescreen",
            to_version=1,
            added=[f"bench-rescreen:{e.entity_id}" for e in chosen],
        )
        organisations = [e.primary_name for e in chosen if e.entity_type == "organization"]
        return change, organisations

    def _merchants(self, options: dict[str, Any], rng: random.Random, planted: list[str]) -> None:
        companies = _read(BENCH / "negative_companies_gleif.csv", "name")
        # Given names and family names recombined: mostly distinct people, as in real data.
        persons = _read(BENCH / "negative_persons_faker.csv", "name")
        given = [p.split()[0] for p in persons if len(p.split()) > 1]
        family = [p.split()[-1] for p in persons if len(p.split()) > 1]
        integrator = Integrator.objects.create(name="bench-rescreen")
        merchants: list[Merchant] = []
        verifications: list[BusinessVerification] = []
        for n in range(options["merchants"]):
            name = (
                planted[n % len(planted)]
                if n < options["planted"] and planted
                else f"{rng.choice(_PREFIXES)}{rng.choice(companies)}{rng.choice(_SUFFIXES)}"
            )
            people = [
                {"name": f"{rng.choice(given)} {rng.choice(family)}", "role": "director"}
                for _ in range(options["people"])
            ]
            # Both rows at once: the two foreign keys are DEFERRABLE INITIALLY DEFERRED in
            # PostgreSQL, so the merchant may name its verification before that row exists.
            merchant = Merchant(
                integrator=integrator,
                external_id=f"bench-{n}",
                legal_name=name[:300],
                country=rng.choice(("GB", "US", "DE", "FR", "NL")),
                people=people,
                verification_id=uuid.uuid4(),
            )
            merchants.append(merchant)
            verifications.append(
                BusinessVerification(
                    id=merchant.verification_id,
                    merchant_id=merchant.id,
                    integrator=integrator,
                    status=VerificationStatus.APPROVED,
                )
            )
        Merchant.objects.bulk_create(merchants, batch_size=5000)
        BusinessVerification.objects.bulk_create(verifications, batch_size=5000)
        # The rows are never committed (the bench rolls back), so autovacuum never counts them:
        # without this the planner used whatever it last knew. After an ANALYZE of an empty
        # database it believed both tables empty, and the re-screen's query ran for over 10 min.
        with connection.cursor() as cursor:
            for model in (Merchant, BusinessVerification):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
