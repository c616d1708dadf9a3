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
    assert set(services) >= {
        "postgres",
        "redis-cache",
        "redis-broker",
        "web",
        "front",
        "worker",
        "beat",
    }
    for name, service in services.items():
        assert "healthcheck" in service, name
        assert "image" in service or "build" in service, name


def test_compose_publishes_only_the_front_and_it_serves_the_shipped_nginx_file() -> None:
    """gunicorn is never exposed directly (issue 12 item 6): only the buffering front is
    published, and it renders deploy/nginx/kyb.conf with the variables that file names."""
    services = _compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"front"}
    front = services["front"]
    mount = next(v for v in front["volumes"] if v.startswith("./deploy/nginx/kyb.conf:"))
    assert mount.split(":")[1].startswith("/etc/nginx/templates/")
    template = (ROOT / "deploy" / "nginx" / "kyb.conf").read_text()
    assert set(re.findall(r"\$\{([A-Z_]+)\}", template)) == {"KYB_UPSTREAM", "KYB_LISTEN"}
    assert front["environment"]["KYB_UPSTREAM"] == "web:8000"
    assert all(p.startswith("127.0.0.1:") for p in front["ports"])


def test_compose_redis_roles_cache_evicts_and_broker_never_does() -> None:
    services = _compose()["services"]
    cache = services["redis-cache"]["command"]
    broker = services["redis-broker"]["command"]
    assert cache[cache.index("--maxmemory-policy") + 1] == "allkeys-lru"
    assert "--maxmemory" in cache
    assert broker[broker.index("--maxmemory-policy") + 1] == "noeviction"
    assert broker[broker.index("--appendonly") + 1] == "yes"
    env = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert "redis-cache" in env["REDIS_URL"]
    assert "redis-broker" in env["CELERY_BROKER_URL"]


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
    # The configuration tables: the README's and the manual's pages (docs/operations.md ...).
    readme = "\n".join(p.read_text() for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
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

    # Worker recycling is off by default, by measurement (docs/performance.md "Processes").
    assert runpy.run_path(str(ROOT / "kyb" / "gunicorn_conf.py"))["max_requests"] == 0
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "6")
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "5000")
    conf = runpy.run_path(str(ROOT / "kyb" / "gunicorn_conf.py"))
    assert conf["workers"] == 3 and conf["threads"] == 6
    assert conf["worker_class"] == "gthread"
    assert conf["max_requests"] == 5000 and conf["max_requests_jitter"] > 0
    assert conf["graceful_timeout"] > 0 and conf["keepalive"] > 0
    assert callable(conf["child_exit"])
    assert conf["control_socket_disable"] is True


def test_gunicorn_config_names_only_real_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """gunicorn ignores a misspelt setting silently; every lowercase name must be one it knows."""
    import runpy
    import types

    from gunicorn.config import KNOWN_SETTINGS

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    conf = runpy.run_path(str(ROOT / "kyb" / "gunicorn_conf.py"))
    known = {setting.name for setting in KNOWN_SETTINGS}
    ours = {
        name
        for name, value in conf.items()
        if name.islower()
        and not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name not in {"annotations", "os", "shutil", "Path", "Any"}
    }
    assert ours and ours - known == set()


def _k8s_documents() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted((ROOT / "k8s").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc.get("spec", {})
    template = spec.get("template", {}).get("spec", {})
    return list(template.get("containers", []))


def test_k8s_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((ROOT / "k8s" / "kustomization.yaml").read_text())
    manifests = {
        p.name
        for p in (ROOT / "k8s").glob("*.yaml")
        if p.name not in {"kustomization.yaml", "secret.example.yaml"}
    }
    assert set(kustomization["resources"]) == manifests


def test_k8s_workloads_run_real_commands_with_probes_and_autoscaling() -> None:
    from django.urls import resolve

    from kyb.queues import Queue

    docs = _k8s_documents()
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    hpas = {
        d["spec"]["scaleTargetRef"]["name"]
        for d in docs
        if d["kind"] in {"HorizontalPodAutoscaler", "ScaledObject"}
    }
    pdbs = {d["metadata"]["name"] for d in docs if d["kind"] == "PodDisruptionBudget"}
    for name, deployment in deployments.items():
        for container in _containers(deployment):
            argv = container.get("command", [])
            if argv[:1] == ["gunicorn"]:
                assert (ROOT / argv[argv.index("-c") + 1]).is_file()
                for probe in ("readinessProbe", "livenessProbe"):
                    resolve(container[probe]["httpGet"]["path"])  # the path exists
                assert name in hpas and name in pdbs
            elif argv[:3] == ["celery", "-A", "kyb"]:
                if argv[3] == "worker":
                    queues = set(argv[argv.index("-Q") + 1].split(","))
                    assert queues <= {q.value for q in Queue}
                    assert name in hpas and name in pdbs
                    # Scraped (monitoring.yaml: port "metrics") where its pool's metrics are served.
                    env = {e["name"]: e["value"] for e in container.get("env", [])}
                    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
                    assert ports["metrics"] == int(env["CELERY_METRICS_PORT"]), name
                else:
                    assert argv[3] == "beat" and deployment["spec"]["replicas"] == 1
    consumed = set()
    for deployment in deployments.values():
        for container in _containers(deployment):
            argv = container.get("command", [])
            if "-Q" in argv:
                consumed |= set(argv[argv.index("-Q") + 1].split(","))
    from kyb.queues import Queue as Q

    assert consumed == {q.value for q in Q}, "every queue needs a worker"


def test_alert_rules_use_metrics_the_code_exports() -> None:
    rules = next(d for d in _k8s_documents() if d["kind"] == "PrometheusRule")
    sources = "\n".join(p.read_text() for p in ROOT.glob("*/**/*.py") if ".venv" not in p.parts)
    for group in rules["spec"]["groups"]:
        for rule in group["rules"]:
            for metric in re.findall(r"\b(kyb_[a-z_]+)", rule["expr"]):
                base = re.sub(r"_(total|bucket|count|sum)$", "", metric)
                assert f'"{base}' in sources or f'"{metric}' in sources, metric


def test_every_kyb_container_runs_unprivileged_with_resources() -> None:
    checked = 0
    for doc in _k8s_documents():
        spec = doc.get("spec", {})
        pod = (spec.get("jobTemplate", {}).get("spec", spec)).get("template", {}).get("spec", {})
        for container in pod.get("containers", []):
            if not str(container.get("image", "")).startswith("ghcr.io/example/kyb"):
                continue
            name = doc["metadata"]["name"]
            assert pod["securityContext"]["runAsNonRoot"] is True, name
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"], name
            assert container["resources"]["requests"] and container["resources"]["limits"], name
            checked += 1
    assert checked >= 6  # web, three worker classes, beat, migrate
