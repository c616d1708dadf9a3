"""``kyb_bootstrap`` loads everything a fresh install needs, and re-running it is cheap."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from classifications.models import NaicsCode
from screening.models import WatchList
from verifications.models import RegistryEntity

pytestmark = pytest.mark.django_db


def test_bootstrap_loads_reference_data_registry_and_watchlists_once() -> None:
    out = StringIO()
    call_command("kyb_bootstrap", stdout=out)
    assert NaicsCode.objects.filter(code="722511").exists()
    assert RegistryEntity.objects.count() > 10_000
    assert set(WatchList.objects.filter(is_active=True).values_list("source", flat=True)) == {
        "ofac_sdn",
        "ofac_cons",
        "un",
    }
    again = StringIO()
    call_command("kyb_bootstrap", stdout=again)
    assert "already loaded, skipped" in again.getvalue()
    assert WatchList.objects.count() == 3  # no second version
