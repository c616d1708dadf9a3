"""The env-driven settings module: required secrets, *_FILE secrets, pool, deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kyb.env import ImproperlyConfiguredEnv, env_bool, env_int, env_str

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
    "FIELD_ENCRYPTION_KEY": "ZmFrZS10ZXN0LWtleS1mb3ItZmVybmV0LTMyYnl0ZXM=",
    "ALLOWED_HOSTS": "kyb.example.com",
}


def _shell_says(code: str, env: dict[str, str]) -> str:
    """``manage.py shell -c code`` under ``env``, which must succeed; its last line of output."""
    result = _manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    clean.pop("SECURE_SSL_REDIRECT", None)
    clean.pop("PROMETHEUS_MULTIPROC_DIR", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_like_env() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_secret_key_is_required_unless_debug() -> None:
    env = dict(PRODUCTION_ENV, SECRET_KEY="")
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": "change-me-to-a-long-random-string"}, "SECRET_KEY is a placeholder"),
        ({"SECRET_KEY": "short-but-real-9f8e7d"}, "shorter than 32 characters"),
        (
            {"FIELD_ENCRYPTION_KEY": "change-me-generate-with-python-cryptography-Fernet"},
            "not a Fernet key",
        ),
    ],
    ids=["placeholder", "short", "not-fernet"],
)
def test_the_example_files_placeholders_do_not_start(
    overrides: dict[str, str], message: str
) -> None:
    """.env.example's values used to start in production: a public SECRET_KEY (which also keys
    API-key hashes) and a Fernet key that failed only when the first tax id was written."""
    result = _manage("check", env=dict(PRODUCTION_ENV, **overrides))
    assert result.returncode != 0 and message in result.stderr, result.stderr


@pytest.mark.parametrize("value", ["0", "1.5", "-0.2"])
def test_a_match_threshold_outside_0_1_does_not_start(value: str) -> None:
    """0 would make every near name a match, above 1 none: both silently wrong screening."""
    result = _manage("check", env=dict(PRODUCTION_ENV, SCREENING_ORG_MATCH_THRESHOLD=value))
    assert result.returncode != 0, result.stdout
    assert "SCREENING_ORG_MATCH_THRESHOLD must be a score in (0, 1]" in result.stderr


def test_makemigrations_runs_on_a_fresh_clone_without_secrets() -> None:
    """It reads only the code; everything else still refuses to start without secrets."""
    bare = {"SECRET_KEY": "", "FIELD_ENCRYPTION_KEY": "", "DEBUG": "false"}
    result = _manage("makemigrations", "--check", "--dry-run", env=bare)
    assert result.returncode == 0, result.stdout + result.stderr
    refused = _manage("check", env=bare)
    assert refused.returncode != 0 and "SECRET_KEY is required" in refused.stderr


def test_secret_key_may_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret_key"
    secret.write_text("file-secret-" + "y" * 60 + "\n")
    env = dict(PRODUCTION_ENV, SECRET_KEY="", SECRET_KEY_FILE=str(secret))
    result = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)", env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("file-secret-" + "y" * 60)


def test_pool_sizes_and_statement_timeout_come_from_env() -> None:
    env = dict(
        PRODUCTION_ENV,
        DB_POOL_MIN_SIZE="3",
        DB_POOL_MAX_SIZE="9",
        DB_STATEMENT_TIMEOUT_MS="1234",
    )
    code = (
        "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS'];"
        "print(o['pool']['min_size'], o['pool']['max_size'], o['options'],"
        " settings.DATABASES['default']['ATOMIC_REQUESTS'])"
    )
    assert _shell_says(code, env) == "3 9 -c statement_timeout=1234 False"


def test_statement_timeout_is_enforced_by_the_server() -> None:
    env = dict(PRODUCTION_ENV, DB_STATEMENT_TIMEOUT_MS="200")
    code = (
        "from django.db import connection\n"
        "try:\n"
        "    connection.cursor().execute('SELECT pg_sleep(2)')\n"
        "    print('no timeout')\n"
        "except Exception as exc:\n"
        "    print('cancelled' if 'statement timeout' in str(exc) else repr(exc))\n"
    )
    result = _manage("shell", "-c", code, env=env)
    assert result.stdout.strip().splitlines()[-1] == "cancelled", result.stdout + result.stderr


def test_env_readers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KYB_T_BOOL", "yes")
    monkeypatch.setenv("KYB_T_INT", "nope")
    assert env_bool("KYB_T_BOOL") is True
    with pytest.raises(ImproperlyConfiguredEnv):
        env_int("KYB_T_INT", 1)
    path = tmp_path / "v"
    path.write_text(" from-file \n")
    monkeypatch.setenv("KYB_T_STR_FILE", str(path))
    assert env_str("KYB_T_STR", "default") == "from-file"


def test_a_pooled_connection_the_server_ended_is_not_handed_out() -> None:
    """After PostgreSQL restarted, each process's pool handed out its dead connections one by
    one: a 503 per connection, for minutes."""
    env = dict(PRODUCTION_ENV, DB_POOL_MIN_SIZE="1", DB_POOL_MAX_SIZE="1")
    code = (
        "import os, time, psycopg\n"
        "from django.db import connection\n"
        "pid = connection.cursor().execute('SELECT pg_backend_pid()').fetchone()[0]\n"
        "connection.close()  # back to the pool, idle\n"
        "with psycopg.connect(os.environ['DATABASE_URL']) as killer:\n"
        "    killer.execute('SELECT pg_terminate_backend(%s)', [pid])\n"
        "time.sleep(0.5)\n"
        "again = connection.cursor().execute('SELECT pg_backend_pid()').fetchone()[0]\n"
        "print('fresh' if again != pid else 'same')\n"
    )
    assert _shell_says(code, env) == "fresh"


def test_a_worker_keeps_its_pool_and_a_forked_child_opens_its_own() -> None:
    """Celery's Django fixup closes the pool after every task: each task opened a new
    connection, and the warm-up thread lost the pool under it ("the pool is closed")."""
    env = dict(PRODUCTION_ENV, DB_POOL_MIN_SIZE="1", DB_POOL_MAX_SIZE="2")
    code = (
        "import os\n"
        "from django.db import connection\n"
        "from kyb.pg_backend.base import DatabaseWrapper\n"
        "def backend():\n"
        "    return connection.cursor().execute('SELECT pg_backend_pid()').fetchone()[0]\n"
        "backend(); first = connection.pool\n"
        "connection.close(); connection.close_pool()  # Django's own use: closed\n"
        "backend(); closed = connection.pool is not first and first.closed\n"
        "DatabaseWrapper.keep_pool = True  # what kyb.celery sets in a worker\n"
        "mine = connection.pool\n"
        "connection.close(); connection.close_pool()  # what the fixup does after a task\n"
        "kept_pid = backend()\n"
        "kept = connection.pool is mine and not mine.closed\n"
        "connection.close()\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        "    own = connection.pool is not mine  # (ids: the parent's pool, once freed, may\n"
        "    del mine  # leave its address to the child's, as it did once in CI)\n"
        "    child_pid = backend()  # on a connection of its own, not the parent's server\n"
        "    import gc; gc.collect()  # a collected connection would say goodbye on its socket\n"
        "    os._exit(0 if own and child_pid != kept_pid else 1)\n"
        "_, status = os.waitpid(child, 0)\n"
        "alive = connection.cursor().execute(\n"
        "    'SELECT count(*) FROM pg_stat_activity WHERE pid = %s', [kept_pid]).fetchone()[0]\n"
        "print(closed, kept, os.waitstatus_to_exitcode(status) == 0, alive == 1)\n"
    )
    assert _shell_says(code, env) == "True True True True"


def test_a_booted_process_does_not_import_requests() -> None:
    """DRF imported ``requests`` (installed for the OTLP exporter) and redis-py OpenTelemetry's
    metrics SDK into every process: 5 MB each, with web workers at the 200 MB goal. Both stay
    importable."""
    code = (
        "import sys\n"
        "from django.core.wsgi import get_wsgi_application\n"
        "from django.urls import get_resolver\n"
        "get_wsgi_application(); get_resolver().url_patterns\n"
        "booted = {'requests', 'opentelemetry.sdk.metrics'} & set(sys.modules)\n"
        "import requests\n"
        "from opentelemetry.sdk.metrics import MeterProvider\n"
        "print(sorted(booted), requests.get is not None and MeterProvider is not None)\n"
    )
    assert _shell_says(code, PRODUCTION_ENV) == "[] True"
