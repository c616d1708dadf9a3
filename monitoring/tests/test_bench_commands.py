"""The benchmark and load-test commands run end to end on tiny counts (they print figures; no
figure is asserted: the machine is shared and noisy)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kyb import cache as kcache
from kyb.tenancy.models import Integrator
from merchants.models import Merchant
from verifications.models import BusinessVerification
from verifications.selectors import VERIFICATION_NAMESPACE
from verifications.services import verification_create

pytestmark = pytest.mark.django_db(transaction=True)


def test_bench_api_prints_every_request_against_healthz_and_cleans_up() -> None:
    out = StringIO()
    call_command("bench_api", calls=3, posts=2, rows=2, stdout=out)
    lines = out.getvalue().splitlines()
    names = [line.split()[0] for line in lines[1:]]
    assert names == ["healthz", "get_cached", "get_uncached", "list_50", "classify", "post"]
    assert not Integrator.objects.filter(name__startswith="bench-api").exists()


def test_seed_loadtest_is_idempotent_and_writes_its_files(tmp_path: Path) -> None:
    for _ in range(2):
        call_command("seed_loadtest", count=25, batch=10, out=str(tmp_path), force=True)
    integrator = Integrator.objects.get(name="loadtest")
    seeded = BusinessVerification.objects.filter(
        integrator=integrator, merchant__external_id__startswith="lt-"
    )
    assert seeded.count() == 25
    assert all(m.verification_id for m in Merchant.objects.filter(integrator=integrator))
    ids = (tmp_path / "verifications.txt").read_text().split()
    assert len(ids) == 26  # the 25 copies and the template run they were copied from
    assert (tmp_path / "key").read_text().startswith("kyb_")
    template = BusinessVerification.objects.get(merchant__external_id="template")
    assert {v.checks == template.checks for v in seeded} == {True}
    # A load test's POST adds a verification; the next run's read set is still the seeded one
    # (it grew run after run, past what the load test warms).
    merchant = Merchant.objects.get(integrator=integrator, external_id="lt-0")
    added = verification_create(merchant=merchant)
    call_command("seed_loadtest", count=25, batch=10, out=str(tmp_path), force=True)
    again = (tmp_path / "verifications.txt").read_text().split()
    assert again == ids and str(added.id) not in again
    merchants = (tmp_path / "merchants.txt").read_text().split()
    assert len(merchants) == 26 and str(merchant.id) in merchants


def test_cache_warm_fills_the_newest_verifications(tmp_path: Path) -> None:
    call_command("seed_loadtest", count=5, batch=5, out=str(tmp_path), force=True)
    newest = BusinessVerification.objects.order_by("-created_at")[:3]
    for v in newest:
        kcache.cache_evict(VERIFICATION_NAMESPACE, v.id)
    out = StringIO()
    call_command("cache_warm", recent=3, stdout=out)
    for v in newest:
        _epoch, raw = kcache.cache_read(VERIFICATION_NAMESPACE, v.id)
        assert raw is not None and raw[:1] == kcache.VALUE
    assert "3 verification entries written" in out.getvalue()


def test_cache_warm_ids_warms_exactly_the_listed_verifications(tmp_path: Path) -> None:
    call_command("seed_loadtest", count=5, batch=5, out=str(tmp_path), force=True)
    oldest = list(BusinessVerification.objects.order_by("created_at")[:2])
    for v in BusinessVerification.objects.all():
        kcache.cache_evict(VERIFICATION_NAMESPACE, v.id)
    listed = tmp_path / "ids.txt"
    listed.write_text("".join(f"{v.id}\n" for v in oldest))
    out = StringIO()
    call_command("cache_warm", ids=listed, stdout=out)
    assert "2 verification entries written" in out.getvalue()
    for v in BusinessVerification.objects.all():
        _epoch, raw = kcache.cache_read(VERIFICATION_NAMESPACE, v.id)
        assert (raw is not None) == (v in oldest)
    listed.write_text("not-a-uuid\n")
    with pytest.raises(CommandError, match="--ids"):
        call_command("cache_warm", ids=listed)
    with pytest.raises(CommandError, match="--ids"):
        call_command("cache_warm", ids=tmp_path / "missing.txt")
    with pytest.raises(CommandError, match="not allowed with"):
        call_command("cache_warm", "--recent", "3", "--ids", str(listed))
