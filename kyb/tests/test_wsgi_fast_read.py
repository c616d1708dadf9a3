"""The WSGI fast read (``kyb.api.fastpath.FastReadApp``): cached reads answered in front of
Django give exactly what Django gives, and anything needing the database, a redirect or a host
check is still Django's."""

from __future__ import annotations

import gzip
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from kyb import cache as kcache
from kyb.api import keyring
from kyb.tenancy.models import ApiKey
from kyb.tenancy.services import api_key_revoke
from kyb.tests.api_client import ApiClient
from kyb.tests.wsgi_client import WsgiClient, WsgiHandler
from kyb.wsgi import django_application
from merchants.tests.factories import MerchantFactory
from verifications.selectors import VERIFICATION_NAMESPACE
from verifications.tests.factories import BusinessVerificationFactory

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "testserver"
# Headers whose values differ between two requests by design.
MOVING = {"X-RateLimit-Remaining", "X-RateLimit-Reset"}


@pytest.fixture(autouse=True)
def _fresh_keyring() -> None:
    keyring.keyring_clear()


@pytest.fixture
def key(api_key: tuple[Any, str]) -> tuple[Any, str]:
    return api_key


def _clients(plaintext: str, **defaults: Any) -> tuple[WsgiClient, ApiClient]:
    return (
        WsgiClient(plaintext, HTTP_HOST=HOST, **defaults),
        ApiClient(plaintext, HTTP_HOST=HOST, **defaults),
    )


def _path(integrator: Any, **fields: Any) -> str:
    merchant = MerchantFactory.create(integrator=integrator)
    v = BusinessVerificationFactory.create(merchant=merchant, **fields)
    kcache.cache_evict(VERIFICATION_NAMESPACE, v.id)  # the creation's tombstone
    return f"/api/v1/verifications/{v.id}"


def _headers(response: Any) -> dict[str, str]:
    return {k: v for k, v in response.items() if k not in MOVING}


def test_a_hit_is_answered_in_front_of_django_with_djangos_answer(key: Any) -> None:
    wsgi, django = _clients(key[1])
    path = _path(key[0].integrator)
    first = wsgi.get(path)  # a miss: Django loads and fills
    hit = wsgi.get(path)
    assert wsgi.answered_by_django == [True, False]
    reference = django.get(path)
    assert first.status_code == hit.status_code == reference.status_code == 200
    assert hit.content == reference.content == first.content
    assert _headers(hit) == _headers(reference) == _headers(first)
    for name in ("API-Version", "Content-Security-Policy", "X-Content-Type-Options", "Vary"):
        assert name in hit, name


# GCRA gives a request back every window / limit seconds: at 600 a minute, a first request (a
# cache miss) that took over 0.1 s on a loaded CI machine left the count where it was. With an
# interval of 1,000 s nothing comes back while the test runs.
@override_settings(API_RATE_WINDOW=600_000)
def test_each_request_is_counted_once_against_the_rate_limit(key: Any) -> None:
    wsgi, _ = _clients(key[1])
    path = _path(key[0].integrator)
    remaining = [int(wsgi.get(path)["X-RateLimit-Remaining"]) for _ in range(3)]
    assert wsgi.answered_by_django == [True, False, False]
    assert remaining[0] - remaining[1] == remaining[1] - remaining[2] == 1


def test_another_integrators_object_is_the_same_404(key: Any, other_api: Any) -> None:
    path = _path(key[0].integrator)
    owner, _ = _clients(key[1])
    owner.get(path)  # cached under its owner
    plaintext = other_api.defaults["HTTP_AUTHORIZATION"].split()[1]
    wsgi, django = _clients(plaintext)
    wsgi.get(path)  # the other key enters this process's key ring
    fast, slow = wsgi.get(path), django.get(path)
    assert wsgi.answered_by_django[-1] is False
    assert fast.status_code == slow.status_code == 404
    assert fast.content == slow.content
    assert _headers(fast) == _headers(slow)


def test_a_rate_limited_read_gets_the_same_429(key: Any) -> None:
    wsgi, django = _clients(key[1])
    path = _path(key[0].integrator)
    with override_settings(API_RATE_LIMIT=2, API_RATE_WINDOW=60):
        codes = [wsgi.get(path) for _ in range(3)]
        slow = django.get(path)
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert wsgi.answered_by_django == [True, False, False]
    assert codes[-1].content == slow.content
    assert codes[-1]["Retry-After"] == slow["Retry-After"]
    assert _headers(codes[-1]) == _headers(slow)


def test_a_large_body_is_gzipped_as_django_gzips_it(key: Any) -> None:
    evidence = {"identifiers": {"status": "success", "evidence": {"note": "x" * 3000}}}
    wsgi, django = _clients(key[1], HTTP_ACCEPT_ENCODING="gzip")
    path = _path(key[0].integrator, checks=evidence)
    wsgi.get(path)
    hit = wsgi.get(path)
    reference = django.get(path)
    assert wsgi.answered_by_django == [True, False]
    assert hit["Content-Encoding"] == reference["Content-Encoding"] == "gzip"
    assert hit["Vary"] == reference["Vary"]
    assert gzip.decompress(hit.content) == gzip.decompress(reference.content)
    assert dict(hit.items()).keys() == dict(reference.items()).keys()


def test_a_revoked_key_is_refused_on_the_next_request(key: Any) -> None:
    wsgi, _ = _clients(key[1])
    path = _path(key[0].integrator)
    assert [wsgi.get(path).status_code for _ in range(2)] == [200, 200]
    api_key_revoke(key=key[0])
    response = wsgi.get(path)
    assert response.status_code == 401
    assert wsgi.answered_by_django[-1] is True


def test_a_key_due_its_last_used_time_is_touched_by_django(key: Any) -> None:
    wsgi, _ = _clients(key[1])
    path = _path(key[0].integrator)
    wsgi.get(path)
    stale = timezone.now() - timedelta(hours=1)
    for info in keyring._keys.values():
        if info is not None:
            info.last_used_at = stale
    ApiKey.objects.filter(pk=key[0].pk).update(last_used_at=stale)
    assert wsgi.get(path).status_code == 200
    assert wsgi.answered_by_django[-1] is True
    assert ApiKey.objects.get(pk=key[0].pk).last_used_at > stale  # type: ignore[operator]
    wsgi.get(path)
    assert wsgi.answered_by_django[-1] is False  # touched: the next one is answered in front


def test_a_host_outside_allowed_hosts_is_djangos_400(key: Any) -> None:
    wsgi, _ = _clients(key[1])
    path = _path(key[0].integrator)
    wsgi.get(path)
    response = wsgi.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert wsgi.answered_by_django[-1] is True


def test_plain_http_is_redirected_and_https_gets_hsts(key: Any) -> None:
    wsgi = Client(HTTP_AUTHORIZATION=f"Bearer {key[1]}", HTTP_HOST=HOST)  # a 301 is undocumented
    wsgi.handler = handler = WsgiHandler()  # type: ignore[assignment]
    path = _path(key[0].integrator)
    try:
        with override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=60):
            django_application.load_middleware()  # Django's middleware reads these at start
            wsgi.get(path, HTTP_X_FORWARDED_PROTO="https")
            plain = wsgi.get(path)
            secure = wsgi.get(path, HTTP_X_FORWARDED_PROTO="https")
    finally:
        django_application.load_middleware()
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=60")
    assert handler.answered_by_django == [True, True, False]


def test_a_query_string_or_no_key_is_djangos(key: Any) -> None:
    wsgi, _ = _clients(key[1])
    path = _path(key[0].integrator)
    wsgi.get(path)
    assert wsgi.get(f"{path}?x=1").status_code == 200
    assert wsgi.get(path, HTTP_AUTHORIZATION="").status_code == 401
    assert wsgi.answered_by_django == [True, True, True]


def test_a_failure_in_front_of_django_leaves_the_request_to_django(key: Any) -> None:
    wsgi, _ = _clients(key[1])
    path = _path(key[0].integrator)
    wsgi.get(path)
    with mock.patch("kyb.api.fastpath._begin", side_effect=RuntimeError("bug")):
        response = wsgi.get(path)
    assert response.status_code == 200
    assert wsgi.answered_by_django == [True, True]
