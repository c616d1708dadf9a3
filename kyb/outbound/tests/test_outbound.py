"""The outbound client: SSRF guard (before and after redirects), size cap, retries, redirects."""

from __future__ import annotations

import ipaddress
import itertools
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from kyb import outbound
from kyb.outbound.guard import address_refusal
from verifications.tests.fakes import FakeProvider, Reply, fake_provider


@pytest.fixture
def server(settings: Any) -> Iterator[FakeProvider]:
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    settings.OUTBOUND_BACKOFF_FACTOR = 0.01
    settings.OUTBOUND_BACKOFF_MAX = 0.05
    with fake_provider() as fake:
        yield fake


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("10.1.2.3", True),
        ("172.16.0.9", True),
        ("192.168.1.1", True),
        ("100.64.0.1", True),  # carrier-grade NAT: not global
        ("fe80::1", True),
        ("169.254.169.254", True),
        ("::ffff:127.0.0.1", True),  # IPv4-mapped loopback
        ("0.0.0.0", True),  # noqa: S104 - an address under test, not a bind
        ("224.0.0.1", True),
        ("8.8.8.8", False),
        ("2606:4700:4700::1111", False),
    ],
)
def test_guard_refuses_internal_addresses(address: str, refused: bool) -> None:
    reason = address_refusal(ipaddress.ip_address(address), allow_private=False)
    assert (reason is not None) is refused, reason


def test_allowing_private_networks_still_refuses_metadata_and_multicast() -> None:
    assert address_refusal(ipaddress.ip_address("127.0.0.1"), allow_private=True) is None
    for address in ("169.254.169.254", "fd00:ec2::254", "224.0.0.1", "0.0.0.0"):  # noqa: S104
        assert address_refusal(ipaddress.ip_address(address), allow_private=True)


def test_loopback_is_refused_before_connecting_by_default(settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    with fake_provider() as fake:
        fake.route("/", Reply.html("hello"))
        with pytest.raises(outbound.BlockedDestination, match="loopback"):
            outbound.request("GET", fake.url + "/")
        assert fake.requests == []  # nothing reached the server
    with pytest.raises(outbound.BlockedDestination, match=r"resolves to 127\.0\.0\.1"):
        outbound.request("GET", "http://localhost:9/")


def test_non_http_schemes_and_credentials_are_refused() -> None:
    for url in ("file:///etc/passwd", "gopher://example.com/", "http://user:pw@example.com/"):
        with pytest.raises(outbound.BlockedDestination):
            outbound.request("GET", url)


def test_a_redirect_to_a_refused_address_is_refused(server: FakeProvider) -> None:
    server.route("/go", Reply(302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"}))
    with pytest.raises(outbound.BlockedDestination, match="metadata"):
        outbound.request("GET", server.url + "/go")


def test_redirects_are_followed_or_returned(server: FakeProvider) -> None:
    server.route("/old", Reply(301, b"", {"Location": "/new"}))
    server.route("/new", Reply.html("<title>new</title>"))
    followed = outbound.request("GET", server.url + "/old")
    assert followed.status == 200 and followed.url == server.url + "/new"
    assert followed.history == (server.url + "/old",)
    held = outbound.request("GET", server.url + "/old", follow_redirects=False)
    assert held.status == 301 and held.headers["location"] == "/new"


def test_credentials_do_not_follow_a_redirect_to_another_origin(server: FakeProvider) -> None:
    with fake_provider() as other:
        other.route("/landing", Reply.html("ok"))
        server.route("/hop", Reply(302, b"", {"Location": other.url + "/landing"}))
        outbound.request("GET", server.url + "/hop", headers={"Authorization": "Bearer s3cret"})
        assert "Authorization" in server.requests[0].headers
        assert "Authorization" not in other.requests[0].headers


def test_bodies_over_the_cap_are_refused(server: FakeProvider) -> None:
    server.route("/big", Reply(200, b"x" * 5000, {"Content-Type": "text/plain"}))
    with pytest.raises(outbound.ResponseTooLarge):
        outbound.request("GET", server.url + "/big", max_bytes=1000)
    assert len(outbound.request("GET", server.url + "/big", max_bytes=5000).body) == 5000


def test_transient_errors_are_retried_then_succeed(server: FakeProvider) -> None:
    answers = iter([Reply(503), Reply(502), Reply.json({"ok": True})])
    server.route("/flaky", lambda _seen: next(answers))
    response = outbound.request("GET", server.url + "/flaky", retries=2)
    assert response.status == 200 and response.json() == {"ok": True}
    assert len(server.requests) == 3


def test_posts_are_not_retried_on_error_status(server: FakeProvider) -> None:
    server.route("/hook", Reply(503))
    response = outbound.request("POST", server.url + "/hook", body=b"{}", retries=3)
    assert response.status == 503 and len(server.requests) == 1


def test_connection_refused_is_an_outbound_error(settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    with fake_provider() as fake:
        url = fake.url
    with pytest.raises(outbound.OutboundError) as caught:
        outbound.request("GET", url + "/", retries=0, timeout=2)
    assert not isinstance(caught.value, outbound.BlockedDestination)


@contextmanager
def _dripping_server(first: bytes, then: Iterable[bytes]) -> Iterator[str]:
    """A local HTTP server that reads the request, sends ``first`` at once and then each piece
    of ``then`` 0.05 s apart (until the client hangs up); yields its URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        conn.recv(4096)
        try:
            conn.sendall(first)
            for piece in then:
                if stop.is_set():
                    break
                conn.sendall(piece)
                time.sleep(0.05)
        except OSError:
            pass
        conn.close()

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def test_a_dripping_response_is_cut_at_the_time_budget(server: FakeProvider) -> None:
    with (
        _dripping_server(
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", itertools.repeat(b"x")
        ) as url,
        pytest.raises(outbound.OutboundError, match="time budget"),
    ):
        outbound.request("GET", url, timeout=0.5, retries=0)


def test_a_response_head_dripped_a_byte_at_a_time_is_cut_at_the_time_budget(
    server: FakeProvider,
) -> None:
    """The read timeout is per read: a receiver sending its status line and headers a byte at
    a time (a QA fault run) held the webhook worker until the task's time limit, which left the
    attempt unrecorded and retried it forever."""
    head = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"x" * 200 + b"\r\nContent-Length: 0\r\n\r\n"
    # 0.05 s a byte: 12 s for the whole head
    with (
        _dripping_server(b"", (bytes([byte]) for byte in head)) as url,
        pytest.raises(outbound.OutboundError, match="time budget"),
    ):
        outbound.request("POST", url, body=b"{}", timeout=0.5, retries=0)
    # The next request on this thread has no deadline left over.
    server.route("/ok", Reply(200, b"fine"))
    assert outbound.request("GET", server.url + "/ok", retries=0).status == 200


def test_requests_carry_our_user_agent_and_caller_headers(server: FakeProvider) -> None:
    server.route("/ua", Reply.html("ok"))
    outbound.request("GET", server.url + "/ua", headers={"X-Trace": "1"})
    seen = server.requests[0].headers
    assert seen["User-Agent"].startswith("kyb-platform/") and seen["X-Trace"] == "1"


def test_redirect_loops_are_cut_and_303_turns_a_post_into_a_get(server: FakeProvider) -> None:
    server.route("/loop", Reply(302, b"", {"Location": "/loop"}))
    with pytest.raises(outbound.TooManyRedirects):
        outbound.request("GET", server.url + "/loop")
    server.route("/form", Reply(303, b"", {"Location": "/done"}))
    server.route("/done", Reply.html("thanks"))
    response = outbound.request("POST", server.url + "/form", body=b"a=1")
    assert response.status == 200
    assert [seen.method for seen in server.requests[-2:]] == ["POST", "GET"]
