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
    variables = set(re.findall(r"\$\{([A-Z_]+)\}", template))
    assert variables == {"KYB_UPSTREAM", "KYB_LISTEN", "KYB_ACCESS_LOG"}
    assert variables <= set(front["environment"])  # envsubst would leave one unset as is
    assert front["environment"]["KYB_UPSTREAM"] == "web:8000"
    assert all(p.startswith("127.0.0.1:") for p in front["ports"])


def test_front_reopens_its_upstream_connections_so_both_workers_get_work() -> None:
    """nginx reuses its most recent idle upstream connection first: connections kept for
    thousands of requests let a few steady clients stay on one gunicorn worker while the other
    idles (docs/performance.md). The upstream block closes each after 100 requests."""
    conf = (ROOT / "deploy" / "nginx" / "kyb.conf").read_text()
    upstream = re.search(r"upstream kyb_gunicorn \{(.*?)\n\}", conf, re.S)
    assert upstream is not None
    requests = re.search(r"^\s*keepalive_requests (\d+);", upstream.group(1), re.M)
    assert requests is not None and int(requests.group(1)) <= 100


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
    configuration = (ROOT / "docs" / "configuration.md").read_text()
    names = re.findall(r"^([A-Z][A-Z0-9_]+)=", env_example, re.M)
    assert names
    for name in names:
        assert f"`{name}`" in configuration, f"{name} missing from docs/configuration.md"


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
    # sync workers take one request at a time: gunicorn would turn threads > 1 back into gthread.
    monkeypatch.delenv("GUNICORN_THREADS")
    monkeypatch.setenv("GUNICORN_WORKER_CLASS", "sync")
    conf = runpy.run_path(str(ROOT / "kyb" / "gunicorn_conf.py"))
    assert conf["worker_class"] == "sync" and conf["threads"] == 1


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


# prometheus_client's metric classes and the families custom collectors yield, by the sample
# names each exposes for the name it is given (Counter("x_total") and Counter("x") both expose
# x_total; a counter family's name is given without the suffix).
_METRIC_SUFFIXES = {
    "Counter": ("_total", "_created"),
    "Gauge": ("",),
    "Histogram": ("_bucket", "_count", "_sum", "_created"),
    "Summary": ("_count", "_sum", "_created"),
    "Info": ("_info",),
    "Enum": ("",),
    "GaugeMetricFamily": ("",),
    "CounterMetricFamily": ("_total", "_created"),
    "HistogramMetricFamily": ("_bucket", "_count", "_sum", "_created"),
    "SummaryMetricFamily": ("_count", "_sum", "_created"),
    "InfoMetricFamily": ("_info",),
}


def _exported_metric_names() -> set[str]:
    """Every sample name a metric definition in shipped code exposes: the first argument of each
    prometheus_client metric or metric-family constructor, outside tests and the virtualenv."""
    import ast

    names: set[str] = set()
    skip = {"var", "tests", "node_modules"}
    tops = [d for d in ROOT.iterdir() if d.is_dir() and not d.name.startswith(".")]
    for path in (p for top in tops if top.name not in skip for p in top.rglob("*.py")):
        if skip & set(path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            kind = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0] if node.args else None
            if kind not in _METRIC_SUFFIXES or not isinstance(first, ast.Constant):
                continue
            if not isinstance(first.value, str):
                continue
            base = first.value.removesuffix("_total") if "Counter" in kind else first.value
            names |= {base + suffix for suffix in _METRIC_SUFFIXES[kind]}
    return names


def test_alert_rules_use_metrics_the_code_exports() -> None:
    """Each kyb_* series an alert or recording rule reads is defined by shipped code (a metric
    or a scrape-time collector); a name that only a test mentions does not count."""
    exported = _exported_metric_names()
    assert {"kyb_ratelimit_fail_open_total", "kyb_pipeline_jobs"} <= exported  # the scan works
    rules = next(d for d in _k8s_documents() if d["kind"] == "PrometheusRule")
    used = {
        metric
        for group in rules["spec"]["groups"]
        for rule in group["rules"]
        for metric in re.findall(r"\b(kyb_[a-z0-9_]+)", rule["expr"])
    }
    assert used and used - exported == set()


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
