"""docker-compose.yml, Dockerfile and k8s manifests agree with the code (Docker can't run here)."""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_every_service_with_a_healthcheck() -> None:
    services = _compose()["services"]
    assert set(services) >= {"postgres", "redis", "web", "worker", "beat"}
    for name, service in services.items():
        assert "healthcheck" in service, name
        assert "image" in service or "build" in service, name


def test_compose_app_services_run_commands_that_exist() -> None:
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        command = services[name]["command"]
        argv = shlex.split(command) if isinstance(command, str) else command
        if argv[0] == "gunicorn":
            config = argv[argv.index("-c") + 1]
            assert (ROOT / config).is_file(), config
            module, _, attr = argv[-1].partition(":")
            assert hasattr(importlib.import_module(module), attr or "application")
        else:
            assert argv[:3] == ["celery", "-A", "kyb"], argv
            assert argv[3] in {"worker", "beat"}
            if "-Q" in argv:
                from kyb.queues import Queue

                assert set(argv[argv.index("-Q") + 1].split(",")) <= {q.value for q in Queue}


def test_compose_env_file_exists_and_names_only_documented_variables() -> None:
    env_example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    names = re.findall(r"^([A-Z][A-Z0-9_]+)=", env_example, re.M)
    assert names
    for name in names:
        assert f"`{name}`" in readme, f"{name} missing from README configuration table"


def test_settings_read_only_documented_variables() -> None:
    settings_src = (ROOT / "kyb" / "settings.py").read_text()
    readme = (ROOT / "README.md").read_text()
    names = set(re.findall(r'env_(?:str|bool|int|float|list)\("([A-Z0-9_]+)"', settings_src))
    missing = sorted(n for n in names if f"`{n}`" not in readme)
    assert missing == []


def test_dockerfile_installs_requirements_and_uses_gunicorn_config() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements.txt" in dockerfile
    assert "kyb/gunicorn_conf.py" in dockerfile


def test_gunicorn_config_values_come_from_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import runpy

    # the config sets this variable for gunicorn's workers; keep it out of this process's env
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "6")
    conf = runpy.run_path(str(ROOT / "kyb" / "gunicorn_conf.py"))
    assert conf["workers"] == 3 and conf["threads"] == 6
    assert conf["worker_class"] == "gthread"
    assert conf["max_requests"] > 0 and conf["max_requests_jitter"] > 0
    assert conf["graceful_timeout"] > 0 and conf["keepalive"] > 0
    assert callable(conf["child_exit"])
