"""Crafted input is a 4xx with the error envelope, never a 500, and never leaks what it probes.

Each case here was a 500 (or a leak) found by a review; the test client raises a view's
exception, so a regression fails loudly."""

from __future__ import annotations

import base64
import ipaddress
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kyb.models import IdempotencyRecord
from kyb.outbound.guard import address_refusal
from kyb.tests.api_client import ApiClient
from merchants.tests.factories import api_key_with_secret

pytestmark = pytest.mark.django_db

MERCHANTS = "/api/v1/merchants"


def _code(response: Any) -> str:
    return str(response.json()["error"]["code"])


@pytest.mark.parametrize(
    "path",
    [
        MERCHANTS,
        "/api/v1/verifications",
        "/api/v1/webhook-endpoints",
        "/api/v1/verification-batches",
        "/api/v1/api-keys",
    ],
)
@pytest.mark.parametrize(
    "position",
    # Not a timestamp; an offset PostgreSQL refuses (a 500 until a QA pass found it); a NUL.
    # The page such a cursor names does not exist: a 404, as for any cursor not written here.
    [b"p=notadate", b"p=2020-01-01T00:00:00+23:59", b"p=2020-01-01T00:00:00\x00"],
)
def test_a_forged_cursor_is_refused(api: ApiClient, path: str, position: bytes) -> None:
    _, plaintext = api_key_with_secret(integrator=api.integrator, scopes=["read", "admin"])
    api = ApiClient(plaintext)
    forged = base64.b64encode(position).decode()
    response = api.get(f"{path}?cursor={forged}")
    assert response.status_code == 404 and _code(response) == "not_found"
    # Not base64 at all: the same answer (DRF's own).
    response = api.get(f"{path}?cursor=garbage")
    assert response.status_code == 404 and _code(response) == "not_found"


@pytest.mark.parametrize(
    "body",
    [
        b'{"legal_name": "A\\ud800", "country": "GB"}',  # lone surrogate
        b'{"legal_name": "A", "country": "GB", "metadata": {"x": "a\\u0000b"}}',  # NUL value
        b'{"legal_name": "A", "country": "GB", "metadata": {"a\\u0000": 1}}',  # NUL key
        b"[" * 5000 + b"]" * 5000,  # nesting past the parser's limit
    ],
    ids=["surrogate", "nul-value", "nul-key", "deep"],
)
def test_bodies_postgres_or_encoders_cannot_hold_are_malformed_json(
    api: ApiClient, body: bytes
) -> None:
    response = api.post(
        MERCHANTS, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 400 and _code(response) == "malformed_json"


def test_a_huge_integer_with_an_idempotency_key_is_not_a_500(api: ApiClient) -> None:
    body = b'{"legal_name": "A", "country": "GB", "external_id": 123456789012345678901234567890}'
    response = api.post(MERCHANTS, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code in (201, 400)


@pytest.mark.parametrize("query", ["external_id=a%00b", "country=a%00", "country=XX", "nope=1"])
def test_merchant_list_filters_are_validated(api: ApiClient, query: str) -> None:
    response = api.get(f"{MERCHANTS}?{query}")
    assert response.status_code == 400 and _code(response) == "validation_error"


def test_a_huge_prefer_wait_is_ignored_not_a_500(api: ApiClient) -> None:
    merchant = api.post_json(MERCHANTS, {"legal_name": "Acme Ltd", "country": "GB"}).json()
    response = api.post_json(
        "/api/v1/verifications",
        {"merchant_id": merchant["id"]},
        HTTP_PREFER="wait=" + "9" * 4301,
    )
    assert response.status_code == 202


@pytest.mark.parametrize(
    "url", ["https://example.com:99999/x", "https://" + "ä" * 60 + ".com/x"], ids=["port", "idna"]
)
def test_unusable_webhook_urls_are_invalid(api: ApiClient, url: str) -> None:
    response = api.post_json("/api/v1/webhook-endpoints", {"url": url})
    assert response.status_code == 400 and _code(response) == "invalid_url"


def test_a_refused_webhook_url_does_not_say_what_the_name_resolves_to(api: ApiClient) -> None:
    response = api.post_json("/api/v1/webhook-endpoints", {"url": "https://localhost/x"})
    assert response.status_code == 400 and _code(response) == "forbidden_destination"
    assert "127.0.0.1" not in response.content.decode()


def test_a_webhook_secret_is_encrypted_in_the_idempotency_record_and_replayed(
    api: ApiClient, settings: Any
) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    body = {"url": "https://hooks.example.com/kyb"}
    first = api.post_json("/api/v1/webhook-endpoints", body, HTTP_IDEMPOTENCY_KEY="ep-1")
    secret = first.json()["secret"]
    assert secret.startswith("whsec_")
    stored = IdempotencyRecord.objects.get(key="ep-1").response_body
    assert secret not in str(stored)
    again = api.post_json("/api/v1/webhook-endpoints", body, HTTP_IDEMPOTENCY_KEY="ep-1")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"


def test_rotation_and_redelivery_honour_the_idempotency_key(api: ApiClient) -> None:
    from webhooks.models import WebhookEndpoint

    created = api.post_json("/api/v1/webhook-endpoints", {"url": "https://hooks.example.com/k"})
    path = f"/api/v1/webhook-endpoints/{created.json()['id']}/rotate-secret"
    first = api.post(path, content_type="application/json", HTTP_IDEMPOTENCY_KEY="rot-1")
    second = api.post(path, content_type="application/json", HTTP_IDEMPOTENCY_KEY="rot-1")
    assert first.status_code == 200 and first.json()["secret"] == second.json()["secret"]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.previous_secret_encrypted  # rotated once, not twice


def test_rotating_ends_with_the_grace_period(api: ApiClient) -> None:
    from webhooks.models import WebhookEndpoint

    created = api.post_json("/api/v1/webhook-endpoints", {"url": "https://hooks.example.com/k"})
    endpoint_id = created.json()["id"]
    rotated = api.post(
        f"/api/v1/webhook-endpoints/{endpoint_id}/rotate-secret", content_type="application/json"
    )
    assert rotated.status_code == 200
    assert api.get(f"/api/v1/webhook-endpoints/{endpoint_id}").json()["rotating"] is True
    WebhookEndpoint.objects.update(previous_secret_expires_at=timezone.now() - timedelta(1))
    assert api.get(f"/api/v1/webhook-endpoints/{endpoint_id}").json()["rotating"] is False


@pytest.mark.parametrize(
    ("tax_id", "shown"), [("1234", "****"), ("1234567", "****"), ("12345678", "****5678")]
)
def test_a_short_tax_id_is_not_shown_in_full(api: ApiClient, tax_id: str, shown: str) -> None:
    body = {"legal_name": "Acme Ltd", "country": "GB", "tax_id": tax_id}
    assert api.post_json(MERCHANTS, body).json()["tax_id"] == shown


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::a9fe:a9fe", "::a9fe:a9fe", "2002:a9fe:a9fe::1", "::ffff:169.254.169.254"],
    ids=["nat64", "ipv4-compatible", "6to4", "mapped"],
)
def test_the_metadata_address_inside_ipv6_is_refused_even_on_private_networks(
    address: str,
) -> None:
    ip = ipaddress.ip_address(address)
    assert (
        address_refusal(ip, allow_private=True) == "cloud metadata address (inside an IPv6 address)"
    )


@pytest.mark.parametrize("address", ["2002:7f00:1::1", "fec0::1", "64:ff9b::a00:1"])
def test_private_addresses_inside_ipv6_are_refused_in_strict_mode(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address), allow_private=False)


def test_a_non_ascii_letter_is_not_upper_cased_into_a_country(api: ApiClient) -> None:
    response = api.post_json(MERCHANTS, {"legal_name": "Acme Ltd", "country": "ß"})
    assert response.status_code == 400 and "country" in response.json()["error"]["fields"]


def test_api_responses_forbid_loading_running_and_framing(api: ApiClient) -> None:
    for response in (api.get(MERCHANTS), api.get(f"{MERCHANTS}/not-a-uuid")):
        assert response["Content-Security-Policy"].startswith("default-src 'none'")
        assert response["X-Content-Type-Options"] == "nosniff"
