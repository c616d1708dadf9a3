"""The rendered k8s/ manifests: strict schema validation (built-in kinds with kubernetes-validate,
our custom resources with tests/k8s_crd_schemas.py), promtool on the alert rules, and the
properties every workload must have (issue 16).

Rendered with ``kubectl kustomize`` (kubectl ships on the development and CI machines); where it
is missing, the files the kustomization lists are parsed instead.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.k8s_crd_schemas import SCHEMAS

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "k8s"
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}
# Release images are pinned: a version tag (optionally with a digest), never `latest`.
PINNED_IMAGE = re.compile(r"^[a-z0-9./_-]+:v?\d+\.\d+(\.\d+)?(-[\w.]+)?(@sha256:[0-9a-f]{64})?$")
# The Bitnami PgBouncer image's documented variables (its pgbouncer-env.sh); anything else is
# silently ignored by the image's start-up script.
BITNAMI_PGBOUNCER_VARIABLES = {
    "PGBOUNCER_DATABASE", "PGBOUNCER_PORT", "PGBOUNCER_LISTEN_ADDRESS", "PGBOUNCER_AUTH_USER",
    "PGBOUNCER_AUTH_QUERY", "PGBOUNCER_AUTH_TYPE", "PGBOUNCER_AUTH_HBA_FILE",
    "PGBOUNCER_STATS_USERS", "PGBOUNCER_POOL_MODE", "PGBOUNCER_INIT_SLEEP_TIME",
    "PGBOUNCER_INIT_MAX_RETRIES", "PGBOUNCER_QUERY_WAIT_TIMEOUT", "PGBOUNCER_MAX_CLIENT_CONN",
    "PGBOUNCER_MAX_DB_CONNECTIONS", "PGBOUNCER_IDLE_TRANSACTION_TIMEOUT",
    "PGBOUNCER_SERVER_IDLE_TIMEOUT", "PGBOUNCER_SERVER_RESET_QUERY",
    "PGBOUNCER_DEFAULT_POOL_SIZE", "PGBOUNCER_MIN_POOL_SIZE", "PGBOUNCER_RESERVE_POOL_SIZE",
    "PGBOUNCER_RESERVE_POOL_TIMEOUT", "PGBOUNCER_IGNORE_STARTUP_PARAMETERS",
    "PGBOUNCER_STATS_PERIOD", "PGBOUNCER_MAX_PREPARED_STATEMENTS", "PGBOUNCER_EXTRA_FLAGS",
    "PGBOUNCER_SERVER_LIFETIME", "PGBOUNCER_SERVER_CONNECT_TIMEOUT",
    "PGBOUNCER_SERVER_LOGIN_RETRY", "PGBOUNCER_CLIENT_LOGIN_TIMEOUT", "PGBOUNCER_QUERY_TIMEOUT",
    "PGBOUNCER_CLIENT_IDLE_TIMEOUT", "PGBOUNCER_USERLIST", "PGBOUNCER_SET_DATABASE_USER",
    "PGBOUNCER_SET_DATABASE_PASSWORD", "PGBOUNCER_CLIENT_TLS_SSLMODE",
    "PGBOUNCER_SERVER_TLS_SSLMODE", "PGBOUNCER_LOG_CONNECTIONS", "PGBOUNCER_LOG_DISCONNECTIONS",
    "PGBOUNCER_LOG_POOLER_ERRORS", "PGBOUNCER_LOG_STATS", "POSTGRESQL_USERNAME",
    "POSTGRESQL_PASSWORD", "POSTGRESQL_DATABASE", "POSTGRESQL_HOST", "POSTGRESQL_PORT",
}  # fmt: skip
PLAN_MAX_CONNECTIONS = 100
PLAN_IDLE_CONNECTIONS = 25


def _render() -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl:
        rendered = subprocess.run(
            [kubectl, "kustomize", str(K8S)], check=True, capture_output=True, text=True
        ).stdout
        return [d for d in yaml.safe_load_all(rendered) if d]
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    docs: list[dict[str, Any]] = []
    for name in kustomization["resources"]:
        docs += [d for d in yaml.safe_load_all((K8S / name).read_text()) if d]
    return docs


@pytest.fixture(scope="module")
def rendered() -> list[dict[str, Any]]:
    return _render()


def _pod_spec(doc: dict[str, Any]) -> dict[str, Any]:
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec["template"]["spec"])


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    pod = _pod_spec(doc)
    return list(pod.get("initContainers", [])) + list(pod["containers"])


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


def _one(rendered: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(d for d in rendered if d["kind"] == kind and d["metadata"]["name"] == name)


def test_every_container_of_every_workload_is_unprivileged_with_resources(
    rendered: list[dict[str, Any]],
) -> None:
    """Ours and third-party alike (PgBouncer had neither resources nor a securityContext)."""
    checked = []
    for doc in (d for d in rendered if d["kind"] in WORKLOADS):
        pod = _pod_spec(doc)
        for container in _containers(doc):
            where = f"{doc['kind']}/{doc['metadata']['name']}/{container['name']}"
            assert pod["securityContext"]["runAsNonRoot"] is True, where
            assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), where
            assert "memory" in resources["limits"], where
            assert PINNED_IMAGE.match(container["image"]), f"{where}: unpinned {container['image']}"
            checked.append(where)
    assert len(checked) >= 7, checked  # web, 3 worker classes, beat, migrate, pgbouncer


def test_rendered_built_in_kinds_pass_strict_kubernetes_validation(
    rendered: list[dict[str, Any]],
) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    version = kubernetes_validate.utils.latest_version()
    built_in = [d for d in rendered if (d["apiVersion"], d["kind"]) not in SCHEMAS]
    assert built_in
    for doc in built_in:
        kubernetes_validate.validate(doc, version, strict=True)


def test_rendered_custom_resources_pass_their_crd_schemas(rendered: list[dict[str, Any]]) -> None:
    custom = [d for d in rendered if (d["apiVersion"], d["kind"]) in SCHEMAS]
    kinds = {d["kind"] for d in custom}
    assert kinds == {"PodMonitor", "PrometheusRule", "ScaledObject"}
    for doc in custom:
        jsonschema.validate(doc, SCHEMAS[(doc["apiVersion"], doc["kind"])])


def test_crd_schemas_refuse_a_misplaced_field(rendered: list[dict[str, Any]]) -> None:
    scaled = next(d for d in rendered if d["kind"] == "ScaledObject")
    broken = {**scaled, "spec": {**scaled["spec"], "minReplicas": 1}}  # the HPA's name, not KEDA's
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMAS[("keda.sh/v1alpha1", "ScaledObject")])


def test_alert_and_recording_rules_pass_promtool(
    rendered: list[dict[str, Any]], tmp_path: Path
) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (Debian package `prometheus`; .ci/run installs it)")
    rules = _one(rendered, "PrometheusRule", "kyb")
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump({"groups": rules["spec"]["groups"]}))
    result = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pgbouncer_authenticates_the_app_user_within_the_plans_connection_budget(
    rendered: list[dict[str, Any]],
) -> None:
    deployment = _one(rendered, "Deployment", "pgbouncer")
    container = _containers(deployment)[0]
    env = _env(container)
    assert set(env) <= BITNAMI_PGBOUNCER_VARIABLES, set(env) - BITNAMI_PGBOUNCER_VARIABLES
    # The image's start-up script exits without a password unless auth is trust.
    assert env["PGBOUNCER_AUTH_TYPE"] != "trust"
    assert env["POSTGRESQL_PASSWORD"]["secretKeyRef"] == {
        "name": "kyb-secrets",
        "key": "PGPASSWORD",
    }
    secret = yaml.safe_load((K8S / "secret.example.yaml").read_text())
    assert "PGPASSWORD" in secret["stringData"]
    # The user PgBouncer puts in its userlist is the one the app connects as.
    config = _one(rendered, "ConfigMap", "kyb-config")["data"]
    app_user = re.match(r"postgres://([^:@]+)@pgbouncer:", config["DATABASE_URL"])
    assert app_user and app_user[1] == env["POSTGRESQL_USERNAME"]
    assert env["PGBOUNCER_DATABASE"] == config["DATABASE_URL"].rsplit("/", 1)[-1]
    # The app prepares statements unless told not to (kyb/settings.py, DB_PREPARE_THRESHOLD): in
    # transaction mode PgBouncer must then track them, or they fail on another server connection.
    prepares = config.get("DB_SERVER_SIDE_BINDING", "true") == "true" and int(
        config.get("DB_PREPARE_THRESHOLD", "5")
    )
    if prepares and env["PGBOUNCER_POOL_MODE"] != "session":
        assert int(env.get("PGBOUNCER_MAX_PREPARED_STATEMENTS", "0")) > 0
    # Budget across replicas, and nothing scales PgBouncer out of it.
    replicas = deployment["spec"]["replicas"]
    assert replicas * int(env["PGBOUNCER_MAX_DB_CONNECTIONS"]) == PLAN_MAX_CONNECTIONS
    assert int(env["PGBOUNCER_DEFAULT_POOL_SIZE"]) <= int(env["PGBOUNCER_MAX_DB_CONNECTIONS"])
    warm = int(env["PGBOUNCER_MIN_POOL_SIZE"]) + int(env.get("PGBOUNCER_RESERVE_POOL_SIZE", 0))
    assert replicas * warm <= PLAN_IDLE_CONNECTIONS
    scaled = {
        d["spec"]["scaleTargetRef"]["name"]
        for d in rendered
        if d["kind"] in {"HorizontalPodAutoscaler", "ScaledObject"}
    }
    assert "pgbouncer" not in scaled


def test_every_app_workload_scales_and_workers_follow_their_queues(
    rendered: list[dict[str, Any]],
) -> None:
    from kyb.queues import Queue

    hpa = _one(rendered, "HorizontalPodAutoscaler", "kyb-web")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 20)
    metrics = {
        m["resource"]["name"] if m["type"] == "Resource" else m["pods"]["metric"]["name"]
        for m in hpa["spec"]["metrics"]
    }
    assert metrics == {"cpu", "memory", "kyb_http_request_p95_seconds"}
    assert {"scaleUp", "scaleDown"} <= set(hpa["spec"]["behavior"])
    scaled = {
        d["spec"]["scaleTargetRef"]["name"]: d for d in rendered if d["kind"] == "ScaledObject"
    }
    for doc in (d for d in rendered if d["kind"] == "Deployment"):
        argv = _containers(doc)[0].get("command", [])
        if argv[:4] != ["celery", "-A", "kyb", "worker"]:
            continue
        queues = set(argv[argv.index("-Q") + 1].split(","))
        listed = {
            t["metadata"]["listName"]
            for t in scaled[doc["metadata"]["name"]]["spec"]["triggers"]
            if t["type"] == "redis"
        }
        assert listed == queues, doc["metadata"]["name"]
        assert listed <= {q.value for q in Queue}
        address = scaled[doc["metadata"]["name"]]["spec"]["triggers"][0]["metadata"]["address"]
        config = _one(rendered, "ConfigMap", "kyb-config")["data"]
        assert address.split(":")[0] in config["CELERY_BROKER_URL"]  # the broker, not the cache


def test_scrape_configs_match_the_ports_and_the_alerts_job_labels(
    rendered: list[dict[str, Any]],
) -> None:
    monitors = {d["metadata"]["name"]: d for d in rendered if d["kind"] == "PodMonitor"}
    jobs = set()
    for monitor in monitors.values():
        endpoint = monitor["spec"]["podMetricsEndpoints"][0]
        job = next(r["replacement"] for r in endpoint["relabelings"] if r["targetLabel"] == "job")
        jobs.add(job)
        selector = monitor["spec"]["selector"]
        for doc in (d for d in rendered if d["kind"] == "Deployment"):
            labels = doc["spec"]["template"]["metadata"]["labels"]
            if _selects(selector, labels):
                ports = {p["name"] for c in _containers(doc) for p in c.get("ports", [])}
                assert endpoint["port"] in ports, (monitor["metadata"]["name"], doc["metadata"])
    rules = _one(rendered, "PrometheusRule", "kyb")
    used = {
        job
        for group in rules["spec"]["groups"]
        for rule in group["rules"]
        for job in re.findall(r'job="([^"]+)"', rule["expr"])
    }
    assert used and used <= jobs, used - jobs
    assert all(
        "=~" not in rule["expr"] or "job" not in rule["expr"]
        for g in rules["spec"]["groups"]
        for rule in g["rules"]
    )


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        if (
            expression["operator"] == "In"
            and labels.get(expression["key"]) not in expression["values"]
        ):
            return False
    return True


def test_web_is_reached_only_through_the_ingress_and_metrics_only_by_prometheus(
    rendered: list[dict[str, Any]],
) -> None:
    ingress = _one(rendered, "Ingress", "kyb")
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-request-buffering"] == "on"
    paths = {p["path"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]}
    assert not any("/metrics".startswith(p) or p.startswith("/metrics") for p in paths if p != "/")
    assert "/" not in paths  # a catch-all would publish /metrics
    services = [d for d in rendered if d["kind"] == "Service"]
    assert all(s["spec"].get("type", "ClusterIP") == "ClusterIP" for s in services)
    policies = {d["metadata"]["name"]: d for d in rendered if d["kind"] == "NetworkPolicy"}
    assert policies["default-deny-ingress"]["spec"]["podSelector"] == {}
    web_sources = policies["kyb-web"]["spec"]["ingress"][0]["from"]
    namespaces = {
        s["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for s in web_sources
    }
    assert namespaces == {"ingress-nginx", "monitoring"}
    worker_egress = policies["kyb-workers"]["spec"]["egress"]
    internet = [rule for rule in worker_egress if any("ipBlock" in t for t in rule.get("to", []))]
    assert internet and all(p["port"] == 443 for r in internet for p in r["ports"])
    assert "10.0.0.0/8" in internet[0]["to"][0]["ipBlock"]["except"]


def test_dashboards_ship_in_the_kustomization_as_grafana_configmaps(
    rendered: list[dict[str, Any]],
) -> None:
    configmap = _one(rendered, "ConfigMap", "kyb-dashboards")
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    shipped = {p.name for p in (K8S / "dashboards").glob("*.json")}
    assert set(configmap["data"]) == shipped
    assert {"kyb-api.json", "kyb-cache.json", "kyb-database.json", "kyb-pipeline.json"} <= shipped
