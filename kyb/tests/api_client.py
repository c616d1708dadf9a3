"""A test client for the v1 API that authenticates with a real key and checks every JSON
response against the OpenAPI schema (see ``kyb.tests.openapi``)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from rest_framework.test import APIClient

from kyb.tests.openapi import assert_matches_schema


class ApiClient(Client):
    integrator: Any = None  # set by the fixtures: the key's tenant

    def __init__(self, key: str | None = None, **defaults: Any) -> None:
        if key:
            defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        super().__init__(**defaults)

    def request(self, **request: Any) -> Any:
        response = super().request(**request)
        assert_matches_schema(request["REQUEST_METHOD"], request["PATH_INFO"], response)
        return response

    def post_json(self, path: str, data: Any, **extra: Any) -> Any:
        return self.post(path, json.dumps(data), content_type="application/json", **extra)

    def patch_json(self, path: str, data: Any, **extra: Any) -> Any:
        return self.patch(path, json.dumps(data), content_type="application/json", **extra)


class SchemaAPIClient(APIClient):
    """DRF's APIClient (``format="json"`` and ``credentials``) with the same schema check."""

    def request(self, **request: Any) -> Any:
        response = super().request(**request)
        assert_matches_schema(request["REQUEST_METHOD"], request["PATH_INFO"], response)
        return response
