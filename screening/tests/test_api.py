"""POST /api/v1/screen over HTTP with the project's API-key authentication."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from kyb.tests.api_client import SchemaAPIClient as APIClient
from merchants.tests.factories import api_key_with_secret

URL = "/api/v1/screen"
pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    _, secret = api_key_with_secret()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.mark.usefixtures("fixture_list")
def test_screen_returns_hits_per_name_with_list_versions(api: APIClient) -> None:
    response = api.post(
        URL,
        {
            "names": [
                {
                    "id": "legal",
                    "name": "BEL KAP STEEL LIMITED",
                    "type": "organization",
                    "country": "US",
                },
                {"id": "ubo", "name": "Jane Q. Nobody", "type": "person"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["threshold"] == 0.85
    assert body["thresholds"] == {"organization": 0.78, "default": 0.85}
    assert [(x["source"], x["version"], x["entry_count"]) for x in body["lists"]] == [
        ("ofac_sdn", 1, 17)
    ]
    legal, ubo = body["results"]
    assert legal["id"] == "legal" and ubo == {"id": "ubo", "hits": []}
    (hit,) = legal["hits"]
    assert (hit["entity_id"], hit["list"], hit["match"]) == ("44525", "ofac_sdn", True)
    assert hit["explanation"]["country"]["adjustment"] > 0


@pytest.mark.usefixtures("fixture_list")
def test_screen_answers_exactly_what_the_output_serializer_documents(api: APIClient) -> None:
    """The view returns the hits' own wire shape without walking it through
    ScreenOutputSerializer: the two must stay the same body (no key more or less, no value of
    another type), or the schema would describe another response."""
    from rest_framework.renderers import JSONRenderer

    from screening.api import ScreenOutputSerializer

    names = [
        {"id": "hit", "name": "BEL KAP STEEL LIMITED", "type": "organization", "country": "US"},
        {"name": "BEL KAP STEEL", "identifiers": ["X1"]},
        {"id": "", "name": "Jane Q. Nobody", "type": "person"},
    ]
    response = api.post(URL, {"names": names}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["results"][0]["hits"] and body["lists"]
    assert response.content == JSONRenderer().render(ScreenOutputSerializer(body).data)
    # The hits were rendered in the view and freed there (kyb.api.renderers.prerendered).
    assert isinstance(response.data["results"], orjson.Fragment)


def test_screen_needs_an_api_key() -> None:
    response = APIClient().post(URL, {"names": [{"name": "x"}]}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        {"names": []},
        {"names": [{"name": f"n{i}"} for i in range(101)]},
        {"names": [{"name": "x", "type": "vessel"}]},
        {"names": [{"name": "x", "country": "Iran"}]},
        {"names": [{"name": "x", "nickname": "y"}]},
        {"names": [{"name": "x"}], "limit": 0},
    ],
)
def test_screen_rejects_invalid_requests(api: APIClient, payload: dict[str, Any]) -> None:
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"]


@pytest.mark.usefixtures("fixture_list")
def test_screen_accepts_a_hundred_names(api: APIClient) -> None:
    response = api.post(
        URL, {"names": [{"name": "Elvis Logan Morey"}] * 100, "limit": 1}, format="json"
    )
    assert response.status_code == 200
    assert all(len(r["hits"]) == 1 for r in response.json()["results"])
