"""``seed_demo``: verifications in every state through the real pipeline, real sanctions hits,
demo users in the analyst groups; a second run adds nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from kyb.tenancy.models import ApiKey
from merchants.models import Merchant
from screening import engine
from screening.services import watchlist_load
from verifications.models import BusinessVerification, RegistryEntity, VerificationStatus
from webhooks.models import WebhookAttempt

pytestmark = pytest.mark.django_db

OFAC_FIXTURE = sorted(
    (Path(__file__).resolve().parents[2] / "screening" / "data" / "ofac_small_fixture").glob(
        "*.csv"
    )
)
COUNTRIES = ("GB", "US", "DE", "FR", "NL", "IT", "ES")


@pytest.fixture(autouse=True)
def _lists_and_register(settings: Any) -> Iterator[None]:
    from django.apps import apps

    from verifications.groups import review_groups_ensure

    review_groups_ensure(apps=apps)  # a transactional test's flush may have emptied them
    settings.SCREENING_VERSION_CHECK_SECONDS = 0
    engine.reset()
    watchlist_load(source="ofac_sdn", paths=OFAC_FIXTURE)
    for n in range(28):
        RegistryEntity.objects.create(
            lei=f"5493000DEMO{n:09d}",
            legal_name=f"Demo Trading {n} Limited",
            name_key=f"demo trading {n}",
            country=COUNTRIES[n % len(COUNTRIES)],
            category="GENERAL",
            entity_status="ACTIVE",
            registration_status="ISSUED",
            source="test",
            loaded_at=timezone.now(),
        )
    yield
    engine.reset()


def _seed(*args: str) -> str:
    out = io.StringIO()
    call_command(
        "seed_demo", "--skip-bootstrap", "--force", "--password", "pw-demo", *args, stdout=out
    )
    return out.getvalue()


def test_seed_demo_creates_every_state_hits_users_and_is_idempotent() -> None:
    output = _seed("--merchants", "14")
    statuses = set(BusinessVerification.objects.values_list("status", flat=True))
    assert statuses == set(VerificationStatus.values), output
    assert Merchant.objects.filter(external_id__startswith="demo-").count() == 14
    assert BusinessVerification.objects.filter(checks__sanctions__status="failure").exists()
    assert "login: analyst / pw-demo" in output and "login: senior / pw-demo" in output
    assert User.objects.get(username="senior").groups.filter(name="senior analyst").exists()
    assert ApiKey.objects.filter(revoked_at__isnull=False).exists()
    assert WebhookAttempt.objects.exists()

    again = _seed("--merchants", "14")
    assert "nothing added" in again and "user analyst exists" in again
    assert BusinessVerification.objects.count() == 14


def test_seed_demo_refuses_to_run_without_debug_unless_forced() -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="runs only with DEBUG"):
        call_command("seed_demo", "--skip-bootstrap", stdout=io.StringIO())
    assert not User.objects.filter(username="analyst").exists()
