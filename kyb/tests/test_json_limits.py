"""What the API accepts it can always write back (issue 12, item 5): numbers that JSONB would
hand back as integers past 64 bits, and nesting past what orjson writes, are a 400; data stored
before that rule stays readable."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from kyb.api.renderers import OrjsonRenderer
from kyb.tests.api_client import ApiClient
from merchants.models import Merchant

pytestmark = pytest.mark.django_db

MERCHANTS = "/api/v1/merchants"


def _nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


@pytest.mark.parametrize(
    "number", [b"1e20", b"18446744073709551616", b"-1e300", b"9223372036854775808", b"1.5e19"]
)
def test_metadata_numbers_jsonb_cannot_give_back_are_refused(api: ApiClient, number: bytes) -> None:
    body = b'{"legal_name": "Acme Ltd", "country": "GB", "metadata": {"n": ' + number + b"}}"
    response = api.post(MERCHANTS, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "malformed_json"
    assert not Merchant.objects.exists()


@pytest.mark.parametrize("number", [b"9223372036854775807", b"-1.5e18", b"3.14", b"1e-300"])
def test_numbers_in_range_are_stored_and_read_back(api: ApiClient, number: bytes) -> None:
    body = b'{"legal_name": "Acme Ltd", "country": "GB", "metadata": {"n": ' + number + b"}}"
    created = api.post(MERCHANTS, body, content_type="application/json")
    assert created.status_code == 201, created.content
    read = api.get(f"{MERCHANTS}/{created.json()['id']}")
    assert read.status_code == 200
    assert read.json()["metadata"]["n"] == orjson.loads(number)
    assert api.get(MERCHANTS).status_code == 200


@pytest.mark.parametrize("depth", [17, 60, 253, 300, 1000])
def test_deep_metadata_is_refused_and_nothing_is_stored(api: ApiClient, depth: int) -> None:
    body = b'{"legal_name": "Acme Ltd", "country": "GB", "metadata": ' + _nested(depth) + b"}"
    response = api.post(MERCHANTS, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert not Merchant.objects.exists()


def test_moderately_nested_metadata_round_trips(api: ApiClient) -> None:
    body = b'{"legal_name": "Acme Ltd", "country": "GB", "metadata": ' + _nested(16) + b"}"
    created = api.post(MERCHANTS, body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert api.get(f"{MERCHANTS}/{created.json()['id']}").status_code == 200


@pytest.mark.parametrize("depth", [255, 400, 1000])
def test_a_deep_body_with_an_idempotency_key_is_a_400(api: ApiClient, depth: int) -> None:
    response = api.post(
        MERCHANTS, _nested(depth), content_type="application/json", HTTP_IDEMPOTENCY_KEY="deep"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


def test_rows_stored_before_the_rule_stay_readable(api: ApiClient) -> None:
    created = api.post_json(MERCHANTS, {"legal_name": "Acme Ltd", "country": "GB"}).json()
    # What JSONB gave back for {"n": 1e20} stored by an older release.
    Merchant.objects.filter(pk=created["id"]).update(metadata={"n": 10**20})
    read = api.get(f"{MERCHANTS}/{created['id']}")
    assert read.status_code == 200
    assert read.json()["metadata"] == {"n": 10**20}
    assert api.get(MERCHANTS).status_code == 200


def test_the_renderer_writes_what_orjson_cannot() -> None:
    deep: Any = 1
    for _ in range(300):
        deep = {"a": deep}
    assert OrjsonRenderer().render({"big": 2**70, "deep": deep}).startswith(b'{"big":')
