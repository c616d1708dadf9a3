"""JSON schemas for the custom resources k8s/ uses, for strict validation of the rendered
manifests (kubernetes-validate covers only built-in kinds, and the CRDs' own YAML is not
installable from a package registry).

Each is the subset of the upstream CRD's openAPIV3Schema that this project uses, written from
the CRD field references (prometheus-operator monitoring.coreos.com/v1 PodMonitor and
PrometheusRule; KEDA keda.sh/v1alpha1 ScaledObject), with ``additionalProperties: false`` at every
level we fill in: a misspelt or misplaced field fails, as ``kubectl apply --validate=strict``
would against the real CRD. A field the upstream CRD has and we do not use is refused here too;
add it when a manifest needs it.
"""

from __future__ import annotations

from typing import Any

STR: dict[str, Any] = {"type": "string"}
INT: dict[str, Any] = {"type": "integer"}
STR_MAP: dict[str, Any] = {"type": "object", "additionalProperties": STR}


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": required,
        "additionalProperties": False,
        "properties": props,
    }


LABEL_SELECTOR = _obj(
    [],
    matchLabels=STR_MAP,
    matchExpressions={
        "type": "array",
        "items": _obj(
            ["key", "operator"],
            key=STR,
            operator={"enum": ["In", "NotIn", "Exists", "DoesNotExist"]},
            values={"type": "array", "items": STR},
        ),
    },
)
METADATA = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": STR, "namespace": STR, "labels": STR_MAP, "annotations": STR_MAP},
}
RELABEL_ACTIONS = [
    "replace", "Replace", "keep", "Keep", "drop", "Drop", "hashmod", "HashMod", "labelmap",
    "LabelMap", "labeldrop", "LabelDrop", "labelkeep", "LabelKeep", "lowercase", "Lowercase",
    "uppercase", "Uppercase", "keepequal", "KeepEqual", "dropequal", "DropEqual",
]  # fmt: skip
RELABEL_CONFIG = _obj(
    [],
    sourceLabels={"type": "array", "items": STR},
    separator=STR,
    targetLabel=STR,
    regex=STR,
    modulus=INT,
    replacement=STR,
    action={"enum": RELABEL_ACTIONS},
)
_UNITS = "".join(rf"(([0-9]+){u})?" for u in ("y", "w", "d", "h", "m", "s", "ms"))
DURATION = {"type": "string", "pattern": rf"^(0|{_UNITS})$"}


def _resource(api_version: str, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    return _obj(
        ["apiVersion", "kind", "metadata", "spec"],
        apiVersion={"const": api_version},
        kind={"const": kind},
        metadata=METADATA,
        spec=spec,
    )


POD_MONITOR = _resource(
    "monitoring.coreos.com/v1",
    "PodMonitor",
    _obj(
        ["selector"],
        jobLabel=STR,
        podTargetLabels={"type": "array", "items": STR},
        selector=LABEL_SELECTOR,
        namespaceSelector=_obj([], any={"type": "boolean"}, matchNames={"type": "array"}),
        podMetricsEndpoints={
            "type": "array",
            "items": _obj(
                [],
                port=STR,
                portNumber=INT,
                path=STR,
                scheme={"enum": ["http", "https"]},
                interval=DURATION,
                scrapeTimeout=DURATION,
                honorLabels={"type": "boolean"},
                relabelings={"type": "array", "items": RELABEL_CONFIG},
                metricRelabelings={"type": "array", "items": RELABEL_CONFIG},
            ),
        },
    ),
)

RULE = {
    "type": "object",
    "required": ["expr"],
    "additionalProperties": False,
    "properties": {
        "record": STR,
        "alert": STR,
        "expr": STR,
        "for": DURATION,
        "keep_firing_for": DURATION,
        "labels": STR_MAP,
        "annotations": STR_MAP,
    },
    "oneOf": [{"required": ["record"]}, {"required": ["alert"]}],
}
PROMETHEUS_RULE = _resource(
    "monitoring.coreos.com/v1",
    "PrometheusRule",
    _obj(
        [],
        groups={
            "type": "array",
            "items": _obj(
                ["name"],
                name=STR,
                interval=DURATION,
                labels=STR_MAP,
                rules={"type": "array", "items": RULE},
            ),
        },
    ),
)

HPA_POLICY = _obj(
    ["type", "value", "periodSeconds"],
    type={"enum": ["Pods", "Percent"]},
    value=INT,
    periodSeconds=INT,
)
HPA_RULES = _obj(
    [],
    stabilizationWindowSeconds=INT,
    selectPolicy={"enum": ["Max", "Min", "Disabled"]},
    policies={"type": "array", "items": HPA_POLICY},
)
SCALED_OBJECT = _resource(
    "keda.sh/v1alpha1",
    "ScaledObject",
    _obj(
        ["scaleTargetRef", "triggers"],
        scaleTargetRef=_obj(["name"], name=STR, apiVersion=STR, kind=STR),
        pollingInterval=INT,
        cooldownPeriod=INT,
        idleReplicaCount=INT,
        minReplicaCount=INT,
        maxReplicaCount=INT,
        fallback=_obj(["failureThreshold", "replicas"], failureThreshold=INT, replicas=INT),
        advanced=_obj(
            [],
            restoreToOriginalReplicaCount={"type": "boolean"},
            horizontalPodAutoscalerConfig=_obj(
                [], name=STR, behavior=_obj([], scaleUp=HPA_RULES, scaleDown=HPA_RULES)
            ),
        ),
        triggers={
            "type": "array",
            "minItems": 1,
            "items": _obj(
                ["type", "metadata"],
                type=STR,
                name=STR,
                metadata=STR_MAP,  # KEDA reads every trigger parameter as a string
                metricType={"enum": ["AverageValue", "Value", "Utilization"]},
                useCachedMetrics={"type": "boolean"},
                authenticationRef=_obj(["name"], name=STR, kind=STR),
            ),
        },
    ),
)

SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("monitoring.coreos.com/v1", "PodMonitor"): POD_MONITOR,
    ("monitoring.coreos.com/v1", "PrometheusRule"): PROMETHEUS_RULE,
    ("keda.sh/v1alpha1", "ScaledObject"): SCALED_OBJECT,
}
