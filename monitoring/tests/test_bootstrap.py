"""``kyb_bootstrap`` loads everything a fresh install needs, and re-running it is cheap."""

from __future__ import annotations

from io import StringIO
from typing import Any

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


def test_behind_pgbouncer_the_statement_timeout_becomes_the_roles_default(settings: Any) -> None:
    """PgBouncer refuses the "options" startup parameter that carries the timeout; with
    DB_STATEMENT_TIMEOUT_VIA_ROLE the bootstrap sets it on the role, for this database only."""
    from django.db import connection

    from monitoring.management.commands.kyb_bootstrap import Command

    settings.DB_STATEMENT_TIMEOUT_VIA_ROLE = True
    settings.DB_STATEMENT_TIMEOUT_MS = 12_345
    database = connection.ops.quote_name(connection.settings_dict["NAME"])
    try:
        Command(stdout=StringIO())._role_statement_timeout()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_database d"
                " ON d.oid = s.setdatabase WHERE d.datname = current_database()"
                " AND s.setrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
            )
            row = cursor.fetchone()
        assert row is not None and "statement_timeout=12345" in row[0]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                f"ALTER ROLE CURRENT_USER IN DATABASE {database} RESET statement_timeout"
            )


def test_the_timeout_is_not_sent_as_a_startup_parameter_via_the_role() -> None:
    import subprocess
    import sys
    from pathlib import Path

    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    env = {**__import__("os").environ, "DB_STATEMENT_TIMEOUT_VIA_ROLE": "true"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "statement_timeout" not in result.stdout
