"""``load_reference_data`` loads every table from a clean database; reloads add no duplicates."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from classifications.models import (
    IndustryCrosswalk,
    MccRisk,
    MerchantCategoryCode,
    NaicsCode,
    NaicsIndexPhrase,
    SicCode,
)
from classifications.selectors import crosswalk_targets, mcc_flagged

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "naics": NaicsCode.objects.count(),
        "phrases": NaicsIndexPhrase.objects.count(),
        "sic": SicCode.objects.count(),
        "mcc": MerchantCategoryCode.objects.count(),
        "crosswalk": IndustryCrosswalk.objects.count(),
    }


def test_loads_all_tables_in_one_command_and_reports_progress() -> None:
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    counts = _counts()
    assert counts["naics"] == 2125  # every level of NAICS 2022
    assert counts["phrases"] > 16000
    assert counts["sic"] > 1000
    assert counts["mcc"] > 900
    assert NaicsCode.objects.get(code="722511").title == "Full-Service Restaurants"
    assert SicCode.objects.get(code="7372").title == "Prepackaged Software"
    assert "NAICS codes" in out.getvalue() and "reference data loaded" in out.getvalue()


def test_reload_is_idempotent() -> None:
    call_command("load_reference_data", stdout=StringIO())
    first = _counts()
    NaicsCode.objects.filter(code="722511").update(title="stale title from an older edition")
    call_command("load_reference_data", stdout=StringIO())
    assert _counts() == first
    assert NaicsCode.objects.get(code="722511").title == "Full-Service Restaurants"
    duplicated = (
        IndustryCrosswalk.objects.values(
            "source_system", "source_code", "target_system", "target_code"
        )
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicated.exists()


def test_mcc_risk_flags_carry_their_source() -> None:
    call_command("load_reference_data", stdout=StringIO())
    gambling = MerchantCategoryCode.objects.get(code="7995")
    assert gambling.risk == MccRisk.HIGH
    assert "Visa" in gambling.risk_source
    assert MerchantCategoryCode.objects.get(code="5812").risk == MccRisk.NONE
    assert set(mcc_flagged().values_list("risk", flat=True)) == {"high", "prohibited"}


def test_crosswalks_link_mcc_naics_and_sic() -> None:
    call_command("load_reference_data", stdout=StringIO())
    assert "722511" in crosswalk_targets(
        source_system="mcc", source_code="5812", target_system="naics2022"
    )
    assert "5812" in crosswalk_targets(
        source_system="mcc", source_code="5812", target_system="sic1987"
    )
    assert "722511" in crosswalk_targets(
        source_system="sic1987", source_code="5812", target_system="naics2022"
    )
