"""``manage.py bench_memory`` prints a worker's RSS at each stage (figures, never asserted)."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from screening.tests.conftest import FIXTURE_FILES


@pytest.mark.django_db
def test_bench_memory_reports_each_stage_against_the_goal() -> None:
    from screening.services import watchlist_load

    watchlist_load(source="ofac_sdn", paths=FIXTURE_FILES)
    out = StringIO()
    call_command("bench_memory", "--no-load", "--names", "40", stdout=out)
    text = out.getvalue()
    assert re.search(r"^boot .*: \d+ MB, \d+ modules$", text, re.M), text
    assert re.search(r"^\+ classifier in use .*: \d+ MB$", text, re.M), text
    assert re.search(r"^\+ screening index in use \(17 entities, \d+ names\): \d+ MB$", text, re.M)
    sustained = (
        r"^\+ sustained use \(40 distinct names screened, 10 businesses classified\): \d+ MB$"
    )
    assert re.search(sustained, text, re.M), text
    assert re.search(r"^result: \d+ MB against the 200 MB goal \((met|not met)\)$", text, re.M), (
        text
    )
