"""``POST /api/v1/classify`` (routes from ``classifications.urls``, API-key auth from settings)."""

from __future__ import annotations

import orjson
import pytest

from kyb.tests.api_client import SchemaAPIClient as APIClient
from merchants.tests.factories import api_key_with_secret

pytestmark = pytest.mark.django_db

URL = "/api/v1/classify"


@pytest.fixture
def client() -> APIClient:
    _, secret = api_key_with_secret()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api


def test_classifies_one_business(client: APIClient) -> None:
    response = client.post(
        URL,
        {"id": "m-1", "name": "Trattoria Roma", "description": "Full-service Italian restaurant"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == "m-1"
    assert body["naics"][0]["code"] == "722511"
    assert "5812" in [c["code"] for c in body["mcc"][:3]]
    assert body["model_version"] and body["evidence"]["naics"]["terms"]


def test_classifies_a_batch_in_order_with_k(client: APIClient) -> None:
    businesses = [
        {"id": str(i), "description": d}
        for i, d in enumerate(["hair salon", "commercial bank", "taxi company"])
    ]
    response = client.post(URL, {"businesses": businesses, "k": 2}, format="json")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["id"] for r in results] == ["0", "1", "2"]
    assert all(len(r["naics"]) == 2 for r in results)


def test_answers_exactly_what_the_output_serializers_document(client: APIClient) -> None:
    """The view returns the results' own wire shape without walking them through the output
    serializers: the two must stay the same body (no key more or less, no value of another
    type), or the schema would describe another response."""
    from rest_framework.renderers import JSONRenderer

    from classifications.api import ClassificationOutputSerializer, ClassifyBatchOutputSerializer

    businesses = [
        {"id": "1", "name": "Trattoria Roma", "description": "Full-service Italian restaurant"},
        {"name": "First Valley Bancorp"},  # a name alone
        {"id": "", "description": "zzzz qqqq"},  # no known word: industry_unknown
        {"description": "online outdoor clothing shop", "website_text": "Jackets and boots"},
    ]
    batch = client.post(URL, {"businesses": businesses, "k": 2}, format="json")
    assert batch.status_code == 200, batch.content
    body = batch.json()
    assert any(r["industry_unknown"] for r in body["results"])
    assert batch.content == JSONRenderer().render(ClassifyBatchOutputSerializer(body).data)
    # The batch was rendered in the view and freed there (kyb.api.renderers.prerendered).
    assert isinstance(batch.data["results"], orjson.Fragment)
    one = client.post(URL, businesses[0], format="json")
    assert one.status_code == 200, one.content
    assert one.content == JSONRenderer().render(ClassificationOutputSerializer(one.json()).data)


def test_rejects_more_than_100_businesses(client: APIClient) -> None:
    response = client.post(URL, {"businesses": [{"description": "bakery"}] * 101}, format="json")
    assert response.status_code == 400


def test_rejects_an_empty_business(client: APIClient) -> None:
    assert client.post(URL, {"name": " "}, format="json").status_code == 400
    assert (
        client.post(URL, {"businesses": [{"description": "bakery"}, {}]}, format="json").status_code
        == 400
    )


def test_requires_an_api_key() -> None:
    assert APIClient().post(URL, {"description": "bakery"}, format="json").status_code in (401, 403)


def test_a_batch_with_too_much_text_is_refused_before_any_work(client: APIClient) -> None:
    """100 businesses of 9 KB each took about 4.5 s of one web worker's CPU."""
    batch = {"businesses": [{"description": "bakery " * 1300}] * 30}  # ~273,000 characters
    response = client.post(URL, batch, format="json")
    assert response.status_code == 400
    assert "at most 250,000 characters" in response.content.decode()
