"""``manage.py seed_demo [--merchants N]``: realistic demo data for the operations console.

Integrators, merchants across countries named after real register records (the bundled GLEIF
sample), verifications run through the real pipeline service in this process (every offline
check: identifiers, local register, sanctions against the loaded lists, industry classifier; the
website check needs the network and is off), then a few moved into the other states the way
production gets there: left ``pending``, claimed (``processing``), an infrastructure failure
(``error`` with a ``failed`` job), a run given up (``error`` with a ``dead`` job), and analyst
decisions on cases in review. Some merchants carry names from the loaded sanctions lists, so the
sanctions check raises real hits. With helper groups ``analyst`` and ``senior analyst`` present,
one user of each (and an ``operator`` in group ``admin``) is created and the login printed.

Re-running adds merchants up to ``--merchants`` and leaves existing rows alone.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count
from django.test.utils import override_settings

from kyb.api.keyring import key_resolve, key_touch
from kyb.tenancy.models import Integrator
from kyb.tenancy.services import api_key_create, api_key_revoke, integrator_get_or_create
from merchants.models import Merchant
from merchants.serializers import merchant_input_clean
from verifications.models import (
    BusinessVerification,
    RegistryEntity,
    VerificationStatus,
)
from verifications.pipeline import verification_run
from verifications.pipeline.run import verification_claim
from verifications.services import verification_transition
from verifications.submissions import verification_submit_for
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_delivery_attempt, webhook_endpoint_create

EXTERNAL_PREFIX = "demo-"
INTEGRATORS = ("Northwind Payments", "Bluefin Marketplace", "Helvetia Merchant Services")
COUNTRIES = ("GB", "US", "DE", "FR", "NL", "IT", "ES", "IE", "SE", "BE", "CA", "AU", "LU", "IN")
# Operating companies only: investment funds make odd card-accepting merchants.
FUND_NAMES = r"fund|fonds|trust|portfolio|sicav|invest"
# (description, declared MCC): what a merchant tells its payment provider it does.
BUSINESSES = (
    ("Online retailer of outdoor clothing, jackets and hiking boots", "5651"),
    ("Independent coffee shop and bakery with take-away", "5814"),
    ("Software consultancy building web and mobile applications", "7372"),
    ("Used car dealer with a repair workshop", "5521"),
    ("Hair salon, barber and beauty treatments", "7230"),
    ("Wholesale distributor of industrial fasteners and tools", "5072"),
    ("Boutique hotel with restaurant and conference rooms", "7011"),
    ("Online marketplace for handmade jewellery", "5944"),
    ("Freight forwarding and customs brokerage", "4214"),
    ("Dental clinic offering general and cosmetic dentistry", "8021"),
    ("Online casino and sports betting", "7995"),
    ("Electronic cigarettes and vaping liquids shop", "5993"),
)
PEOPLE = (
    "Emma Johansson", "Liam O'Connor", "Sofia Rossi", "Lukas Becker", "Chloé Martin",
    "Daan de Vries", "Lucía García", "Oliver Smith", "Priya Sharma", "Noah Williams",
    "Mia Schneider", "Hugo Laurent", "Aisha Khan", "Jack Taylor", "Elena Novak",
)  # fmt: skip
WEBHOOK_ATTEMPTS = 20
# How many verifications to move into each non-decided state, and analyst decisions.
FORCED = {"pending": 2, "processing": 2, "failed": 1, "dead": 1}
ANALYST_DECISIONS = (
    (
        VerificationStatus.APPROVED,
        False,
        "Registry extract and ownership documents checked; declared activity confirmed.",
    ),
    (
        VerificationStatus.REJECTED,
        True,
        "Sanctions match confirmed against the list entry (name, country); relationship declined.",
    ),
)


class Command(BaseCommand):
    """Seed demo integrators, merchants, verifications in every state, hits and users."""

    help = "Seed realistic demo data for the operations console (idempotent-ish)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--merchants", type=int, default=36, help="demo merchants wanted")
        parser.add_argument("--password", default="", help="password of new demo users")
        parser.add_argument(
            "--skip-bootstrap", action="store_true", help="reference data is already loaded"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="run without DEBUG (a staging database); never on production data",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates staff users and API keys and prints their secrets: it runs "
                "only with DEBUG (as under make run). For a staging database pass --force."
            )
        if not options["skip_bootstrap"]:
            call_command("kyb_bootstrap", stdout=self.stdout, stderr=self.stderr)
        integrators = [integrator_get_or_create(name=name) for name in INTEGRATORS]
        self._webhook_endpoint(integrators[0])
        self._api_keys(integrators)
        existing = Merchant.objects.filter(external_id__startswith=EXTERNAL_PREFIX).count()
        wanted = options["merchants"] - existing
        if wanted <= 0:
            self.stdout.write(f"demo data exists ({existing} demo merchants); nothing added")
        else:
            self._seed(integrators, wanted, first=existing)
        self._webhook_attempts()
        self._report()
        self._users(options["password"] or secrets.token_urlsafe(12))

    # -- data ---------------------------------------------------------------------------------

    def _webhook_endpoint(self, integrator: Integrator) -> None:
        if WebhookEndpoint.objects.filter(integrator=integrator).exists():
            return
        webhook_endpoint_create(
            integrator=integrator,
            url="https://hooks.northwind-payments.example/kyb",
            event_types=["verification.completed"],
            description="demo receiver (does not resolve: deliveries fail and retry)",
        )

    def _webhook_attempts(self) -> None:
        """Make the first attempt of waiting deliveries, as a webhooks worker would (the demo
        receiver does not resolve, so each attempt is logged as failed and scheduled again)."""
        due = WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, attempts=0, endpoint__integrator__name__in=INTEGRATORS
        ).values_list("pk", flat=True)[:WEBHOOK_ATTEMPTS]
        for delivery_id in list(due):
            webhook_delivery_attempt(delivery_id=delivery_id)

    def _api_keys(self, integrators: list[Integrator]) -> None:
        """Per integrator: a production and a read-only key (seen in use), a revoked one."""
        for n, integrator in enumerate(integrators):
            if integrator.api_keys.exists():
                continue
            _, new = api_key_create(integrator=integrator, name="production backend")
            _, reporting = api_key_create(integrator=integrator, scopes=["read"], name="reporting")
            staging, _ = api_key_create(integrator=integrator, name="staging (leaked, replaced)")
            api_key_revoke(key=staging, actor="demo")
            # Seen in use: what the auth layer records when a request presents the key.
            for used in (new, reporting):
                _, info = key_resolve(used.plaintext)
                if info is not None:
                    key_touch(info)
            if n == 0:
                self.stdout.write(f"API key of {integrator.name} (shown once): {new.plaintext}")

    def _registry_rows(self, count: int) -> list[RegistryEntity]:
        """Active operating companies from the register not seeded yet, round-robin over
        countries so every page of the console mixes them."""
        used = [
            external_id.removeprefix(EXTERNAL_PREFIX)
            for external_id in Merchant.objects.filter(
                external_id__startswith=EXTERNAL_PREFIX
            ).values_list("external_id", flat=True)
        ]
        per_country = count // len(COUNTRIES) + 2
        by_country = [
            list(
                RegistryEntity.objects.filter(country=c, entity_status="ACTIVE", category="GENERAL")
                .exclude(legal_name__iregex=FUND_NAMES)
                .exclude(lei__in=used)
                .order_by("lei")[:per_country]
            )
            for c in COUNTRIES
        ]
        rows = [
            r
            for group in zip(*[iter_pad(g, per_country) for g in by_country], strict=False)
            for r in group
        ]
        return [r for r in rows if r is not None][:count]

    def _sanctioned(self, entity_type: str, count: int) -> list[str]:
        from screening.models import WatchListEntry

        return list(
            WatchListEntry.objects.filter(
                watchlist__is_active=True, watchlist__source="ofac_sdn", entity_type=entity_type
            )
            .order_by("entity_id")
            .values_list("primary_name", flat=True)[:count]
        )

    def _payloads(self, count: int, first: int) -> list[dict[str, Any]]:
        rows = self._registry_rows(count)
        orgs = self._sanctioned("organization", 2)
        persons = self._sanctioned("person", 2)
        payloads: list[dict[str, Any]] = []
        for i, row in enumerate(rows):
            n = first + i
            description, mcc = BUSINESSES[n % len(BUSINESSES)]
            owner = PEOPLE[n % len(PEOPLE)]
            payloads.append(
                {
                    "external_id": f"{EXTERNAL_PREFIX}{row.lei}",
                    "legal_name": row.legal_name,
                    "lei": row.lei,
                    "country": row.country,
                    "description": description,
                    "declared_mcc": mcc,
                    "email": f"onboarding{n}@example.com",
                    "people": [{"name": owner, "role": "owner", "ownership_pct": "75"}],
                }
            )
        # Real list names: a sanctioned company as the merchant, sanctioned people as owners.
        for j, name in enumerate(orgs):
            if j * 7 + 6 < len(payloads):
                payloads[j * 7 + 6].update(legal_name=name.title(), lei="")
        for j, name in enumerate(persons):
            if j * 7 + 9 < len(payloads):
                payloads[j * 7 + 9]["people"].append(
                    {"name": name.title(), "role": "director", "ownership_pct": "25"}
                )
        return payloads

    def _seed(self, integrators: list[Integrator], count: int, first: int) -> None:
        payloads = self._payloads(count, first)
        self.stdout.write(f"seeding {len(payloads)} merchants and verifications...")
        plan = [kind for kind, n in FORCED.items() for _ in range(n)] if first == 0 else []
        with override_settings(WEBSITE_CHECK_ENABLED=False, REGISTRY_ADAPTERS=["local"]):
            for i, payload in enumerate(payloads):
                integrator = integrators[i % len(integrators)]
                kind = plan[i] if i < len(plan) else "run"
                # One transaction per merchant: a running worker only sees it decided.
                with transaction.atomic():
                    verification = verification_submit_for(
                        integrator=integrator,
                        merchant_fields=merchant_input_clean(payload),
                    )
                    getattr(self, f"_as_{kind}")(verification)
        if first == 0:
            self._analyst_decisions()

    def _as_pending(self, verification: BusinessVerification) -> None:
        """Left as submitted: a worker picks it up once one runs."""

    def _as_run(self, verification: BusinessVerification) -> None:
        verification_run(verification_id=verification.id, task_id=f"demo-{verification.id}")

    def _as_processing(self, verification: BusinessVerification) -> None:
        """Claimed by a worker that is still running it (the sweeper revives it if it died)."""
        verification_claim(verification.id, f"demo-{verification.id}")

    def _as_failed(self, verification: BusinessVerification) -> None:
        """The real failure path: the register never answers (the ``stalled`` demo adapter), the
        run hits its time limit and records ``error`` and a failed job."""
        with override_settings(REGISTRY_ADAPTERS=["stalled"]):
            self._as_run(verification)

    def _as_dead(self, verification: BusinessVerification) -> None:
        """A run whose worker is lost on every attempt: each redelivery of the same task finds
        it still ``processing`` under its own id and runs it again, until the attempts are
        spent and the job is given up (``dead``, the verification ``error``)."""
        for _ in range(settings.PIPELINE_JOB_MAX_ATTEMPTS + 1):
            verification_claim(verification.id, f"demo-{verification.id}")

    def _analyst_decisions(self) -> None:
        """Decide two cases from the review queue, as an analyst would (audited): approve one
        without sanctions hits, reject one with a confirmed match."""
        waiting = BusinessVerification.objects.filter(
            status=VerificationStatus.IN_REVIEW, merchant__external_id__startswith=EXTERNAL_PREFIX
        ).order_by("created_at")
        for outcome, with_match, reason in ANALYST_DECISIONS:
            verification = (
                waiting.filter(checks__sanctions__status="failure")
                if with_match
                else waiting.exclude(checks__sanctions__status="failure")
            ).first()
            if verification is not None:
                verification_transition(
                    verification_id=verification.id,
                    to_status=outcome,
                    actor="demo.analyst",
                    reason=reason,
                )

    # -- report and users ---------------------------------------------------------------------

    def _report(self) -> None:
        counts = dict(
            BusinessVerification.objects.filter(merchant__external_id__startswith=EXTERNAL_PREFIX)
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        self.stdout.write("demo verifications by status: " + ", ".join(
            f"{s}={counts.get(s, 0)}" for s in VerificationStatus.values
        ))  # fmt: skip
        hits = BusinessVerification.objects.filter(
            merchant__external_id__startswith=EXTERNAL_PREFIX, checks__sanctions__status="failure"
        ).count()
        self.stdout.write(f"verifications with sanctions matches: {hits}")
        missing = [s for s in VerificationStatus.values if not counts.get(s)]
        if missing:
            self.stdout.write(self.style.WARNING(f"states not represented: {missing}"))

    def _users(self, password: str) -> None:
        # "operator" (group admin: every permission) sees the jobs, API-key, webhook and
        # operations pages that the analysts' groups do not.
        logins = (("analyst", "analyst"), ("senior", "senior analyst"), ("operator", "admin"))
        for username, group_name in logins:
            group = Group.objects.filter(name=group_name).first()
            if group is None:
                self.stdout.write(f"group {group_name!r} does not exist: no {username} user")
                continue
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True, "email": f"{username}@example.com"}
            )
            user.groups.add(group)
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
                self.stdout.write(
                    self.style.SUCCESS(f"login: {username} / {password}  ({group_name})")
                )
            else:
                self.stdout.write(f"user {username} exists (password unchanged)")


def iter_pad(items: list[Any], size: int) -> list[Any]:
    """``items`` padded with None to ``size`` (so zip keeps the round-robin going)."""
    return items + [None] * (size - len(items))
