"""Validate API responses against the generated OpenAPI schema.

Every response the test suite gets from ``/api/v1/`` through ``ApiClient`` must be a documented
status of a documented operation, and its JSON body must match the documented schema.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from typing import Any

import jsonschema
import orjson

API_PREFIX = "/api/v1/"


@lru_cache(maxsize=1)
def openapi_schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return orjson.loads(OpenApiJsonRenderer().render(schema))


def _to_json_schema(node: Any, components: dict[str, Any]) -> Any:
    """Inline $refs and turn OpenAPI 3.0 ``nullable`` into JSON Schema null types."""
    if isinstance(node, list):
        return [_to_json_schema(n, components) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _to_json_schema(components[name], components)
    out = {k: _to_json_schema(v, components) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        if "allOf" in out or "oneOf" in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@lru_cache(maxsize=1)
def _operations() -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    paths = openapi_schema()["paths"]
    ops = []
    for template, item in paths.items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
        ops.append((pattern, item))
    return ops


def assert_matches_schema(method: str, path: str, response: Any) -> None:
    if not path.startswith(API_PREFIX):
        return
    item = next((i for p, i in _operations() if p.match(path)), None)
    if item is None:
        assert response.status_code in {404, 405}, f"undocumented path {path}"
        return
    operation = item.get(method.lower())
    if operation is None:
        assert response.status_code == 405, f"undocumented operation {method} {path}"
        return
    documented = operation["responses"]
    status = str(response.status_code)
    assert status in documented, f"{method} {path}: status {status} not documented"
    content = documented[status].get("content", {}).get("application/json")
    if content is None or not response.content:
        return
    schema = _to_json_schema(content["schema"], openapi_schema()["components"]["schemas"])
    raw = response.content
    if response.get("Content-Encoding") == "gzip":
        raw = gzip.decompress(raw)
    body = orjson.loads(raw)
    try:
        jsonschema.validate(body, schema)
    except jsonschema.ValidationError as exc:
        raise AssertionError(f"{method} {path} {status} body does not match schema: {exc}") from exc
