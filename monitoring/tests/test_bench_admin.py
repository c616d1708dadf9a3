"""``bench_admin`` stays runnable as the models change: a tiny run inserts rows for every model
column, opens every page it times, and ``--cleanup`` removes exactly its rows. (The benchmark
itself runs on its own database, never here; nothing is timed or asserted about speed.)"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kyb.tenancy.models import Integrator
from merchants.models import Merchant
from merchants.tests.factories import MerchantFactory
from verifications.models import BusinessVerification, PipelineJob

pytestmark = pytest.mark.django_db


def test_bench_admin_inserts_opens_every_page_and_cleans_up(settings: Any) -> None:
    settings.ADMIN_REQUIRE_2FA = True  # production default: the bench must still reach the pages
    keep = MerchantFactory.create()
    out = io.StringIO()
    call_command(
        "bench_admin", "--rows", "40", "--runs", "1", "--cleanup", "--any-database", stdout=out
    )
    lines = out.getvalue().splitlines()
    timed = [line for line in lines if line.endswith("ms")]
    assert len(timed) >= 12, out.getvalue()
    assert list(Merchant.objects.all()) == [keep]
    assert not BusinessVerification.objects.exists() and not PipelineJob.objects.exists()
    assert not Integrator.objects.filter(name__startswith="bench_admin").exists()


def test_bench_admin_refuses_a_database_not_named_bench() -> None:
    with pytest.raises(CommandError, match="scratch database"):
        call_command("bench_admin", "--rows", "1", stdout=io.StringIO())
