"""Writes of the webhooks app: endpoints and secrets, event emission (an outbox written in the
caller's transaction), delivery attempts with backoff, redelivery."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import random
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import orjson
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from redis.exceptions import RedisError

from kyb import outbound
from kyb.cache import cache_get_or_fill, invalidate_on_commit, redis_client, resource_owner
from kyb.crypto import decrypt, encrypt
from kyb.errors import DomainError
from kyb.events import Event
from kyb.formats import iso_utc
from kyb.outbound.guard import resolve_checked
from kyb.tenancy.models import Integrator
from webhooks.models import (
    EVENT_TYPES,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from webhooks.signing import secret_generate, signature_header

DELIVER_TASK = "kyb.webhooks.deliver"
logger = logging.getLogger(__name__)


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise DomainError("invalid_url", "The URL must be http(s)://host/...")
    if parts.scheme == "http" and settings.WEBHOOK_REQUIRE_HTTPS:
        raise DomainError("insecure_url", "Webhook URLs must use https.")
    if parts.username or parts.password:
        raise DomainError("invalid_url", "Credentials in the URL are not allowed.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:  # e.g. :99999
        raise DomainError("invalid_url", "The URL's port is not valid.") from exc
    try:
        resolve_checked(
            parts.hostname, port, allow_private=settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS
        )
    except outbound.BlockedDestination as exc:
        if "does not resolve" in str(exc):
            return  # DNS may be late; the delivery guard checks again on every attempt
        # The detail (what the name resolves to) stays in our log: telling the caller would
        # map our internal network for them.
        logger.info("webhook URL refused: %s", exc)
        if "not a valid host name" in str(exc):
            raise DomainError("invalid_url", "The URL's host name is not valid.") from exc
        raise DomainError(
            "forbidden_destination",
            "Refused destination: webhook URLs must point to a public internet address.",
        ) from exc


def webhook_endpoint_create(
    *,
    integrator: Integrator,
    url: str,
    event_types: Iterable[str] = (),
    description: str = "",
    livemode: bool = True,
) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint; the returned secret is shown once. A sandbox endpoint
    (``livemode=False``) receives the sandbox events only, a live one the live events only."""
    types = sorted(set(event_types))
    unknown = set(types) - set(EVENT_TYPES)
    if unknown:
        raise DomainError("invalid_event_type", f"Unknown event types: {sorted(unknown)}")
    _check_url(url)
    secret = secret_generate()
    with transaction.atomic():
        # The integrator's row lock makes count-then-insert safe against concurrent creates.
        Integrator.objects.select_for_update().filter(pk=integrator.pk).first()
        active = WebhookEndpoint.objects.filter(
            integrator=integrator, livemode=livemode, disabled_at=None
        )
        if active.count() >= settings.WEBHOOK_MAX_ENDPOINTS:
            raise DomainError(
                "endpoint_limit_reached",
                f"At most {settings.WEBHOOK_MAX_ENDPOINTS} webhook endpoints per account: "
                "delete one first (one endpoint can receive every event type).",
                status_code=409,
            )
        endpoint = WebhookEndpoint.objects.create(
            integrator=integrator,
            url=url,
            event_types=types,
            description=description,
            livemode=livemode,
            secret_encrypted=encrypt(secret),
        )
    return endpoint, secret


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """New secret; the old one keeps signing for ``WEBHOOK_SECRET_GRACE`` seconds."""
    secret = secret_generate()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_expires_at = timezone.now() + timedelta(
        seconds=settings.WEBHOOK_SECRET_GRACE
    )
    endpoint.secret_encrypted = encrypt(secret)
    endpoint.save(
        update_fields=[
            "secret_encrypted",
            "previous_secret_encrypted",
            "previous_secret_expires_at",
        ]
    )
    return secret


ENDPOINT_DISABLED = "endpoint disabled"


def webhook_endpoint_disable(*, endpoint: WebhookEndpoint) -> None:
    """Stop sending; pending deliveries are abandoned, the log is kept."""
    with transaction.atomic():
        endpoint.disabled_at = timezone.now()
        endpoint.save(update_fields=["disabled_at"])
        endpoint.deliveries.filter(status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.DEAD, last_error=ENDPOINT_DISABLED
        )


def _active_secrets(endpoint: WebhookEndpoint) -> list[str]:
    secrets = [decrypt(endpoint.secret_encrypted)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_encrypted and expires and expires > timezone.now():
        secrets.append(decrypt(endpoint.previous_secret_encrypted))
    return secrets


def _enqueue(delivery_id: uuid.UUID) -> bool:
    """Hand one delivery to the broker; on failure (broker down) it stays due in the outbox
    and the dispatcher beat task sends it. Milliseconds either way, never a result backend."""
    from kyb.celery import publish

    return publish(DELIVER_TASK, kwargs={"delivery_id": str(delivery_id)}) is not None


ENDPOINTS_NAMESPACE = "webhook:endpoints"


def _endpoints_of(integrator_id: uuid.UUID, livemode: bool) -> list[dict[str, Any]]:
    """The integrator's active endpoints of one mode (id and event filter), cache-aside: every
    submission emits an event, and most integrators' endpoint sets change rarely."""

    def load() -> list[dict[str, Any]]:
        return [
            {"id": str(pk), "event_types": event_types}
            for pk, event_types in WebhookEndpoint.objects.filter(
                integrator_id=integrator_id, livemode=livemode, disabled_at=None
            ).values_list("pk", "event_types")
        ]

    found = cache_get_or_fill(
        ENDPOINTS_NAMESPACE,
        resource_owner(integrator_id, livemode),
        ttl=settings.CACHE_TTL_MERCHANT,
        not_found_ttl=settings.CACHE_TTL_NOT_FOUND,
        loader=load,
    )
    return found if isinstance(found, list) else []


def webhook_endpoints_changed(sender: Any, instance: WebhookEndpoint, **kwargs: Any) -> None:
    invalidate_on_commit(
        ENDPOINTS_NAMESPACE, resource_owner(instance.integrator_id, instance.livemode)
    )


def webhook_event_emit(
    *,
    integrator_id: uuid.UUID,
    event_type: str,
    data: dict[str, Any] | Callable[[], dict[str, Any]],
    livemode: bool = True,
    simulated_failures: int = 0,
) -> WebhookEvent | None:
    """Write the event and one delivery per interested endpoint of its mode in the caller's
    transaction; send on commit. ``None`` when no endpoint wants it (nothing is stored, and a
    callable ``data`` is never called). ``simulated_failures`` (sandbox only): the first N
    attempts of each delivery fail without being sent."""
    endpoint_ids = [
        e["id"]
        for e in _endpoints_of(integrator_id, livemode)
        if not e["event_types"] or event_type in e["event_types"]
    ]
    if not endpoint_ids:
        return None
    if callable(data):
        data = data()
    event_id = uuid.uuid4()
    created = timezone.now()
    body = orjson.dumps(
        {
            "id": str(event_id),
            "type": event_type,
            "livemode": livemode,
            "created_at": iso_utc(created),
            "data": data,
        }
    ).decode()
    event = WebhookEvent.objects.create(
        id=event_id,
        integrator_id=integrator_id,
        type=event_type,
        body=body,
        livemode=livemode,
        simulated_failures=0 if livemode else simulated_failures,
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(event=event, endpoint_id=e, next_attempt_at=created) for e in endpoint_ids
    )
    for delivery in deliveries:
        transaction.on_commit(partial(_enqueue, delivery.id))
    return event


def webhook_on_event(event: Event) -> Mapping[str, int] | None:
    """The webhooks app's subscriber to the event registry (``kyb.events``): an erasure's
    stored copies are cut down first, then the event is emitted to the endpoints that want
    it (its payload rendered only if one does)."""
    from webhooks.erasure import webhook_events_redact

    counts = None
    if event.redact_ids:
        counts = webhook_events_redact(
            integrator_id=event.integrator_id, redact_ids=event.redact_ids
        )
    if event.type in EVENT_TYPES:
        webhook_event_emit(
            integrator_id=event.integrator_id,
            event_type=event.type,
            data=event.data,
            livemode=event.livemode,
            simulated_failures=event.simulated_failures if not event.livemode else 0,
        )
    return counts


def backoff_seconds(attempt: int) -> float:
    """Exponential from WEBHOOK_BACKOFF_BASE, capped, with ±20 % jitter: 30 s, 1 m, 2 m, ...
    6 h; the default 14 attempts span about a day."""
    base = min(settings.WEBHOOK_BACKOFF_BASE * 2 ** (attempt - 1), settings.WEBHOOK_BACKOFF_MAX)
    return float(base * random.uniform(0.8, 1.2))


def _claim(delivery_id: uuid.UUID | str) -> WebhookDelivery | None:
    """Take the attempt atomically: count it and push ``next_attempt_at`` out by a lease, so a
    concurrent worker (or a duplicate task) finds nothing due, and a crashed attempt is
    retried once the lease expires."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
    pending = WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
    due = pending.filter(next_attempt_at__lte=now, endpoint__disabled_at=None)
    claimed = due.filter(attempts__lt=settings.WEBHOOK_MAX_ATTEMPTS).update(
        attempts=F("attempts") + 1, next_attempt_at=lease
    )
    if not claimed and due.update(status=DeliveryStatus.DEAD, last_error=UNRECORDED):
        # Every attempt was made and the last one's outcome never recorded (its worker died,
        # or hit its time limit): the cap holds anyway. Without it such a delivery was sent
        # again at each lease's end, with no limit.
        return None
    if not claimed:
        # Created or redelivered while the endpoint was being disabled: abandon it like the rest.
        pending.filter(endpoint__disabled_at__isnull=False).update(
            status=DeliveryStatus.DEAD, last_error=ENDPOINT_DISABLED
        )
        return None
    return WebhookDelivery.objects.select_related("event", "endpoint").get(pk=delivery_id)


UNRECORDED = "no outcome recorded for the last attempt; every attempt has been made"
TIMED_OUT = "no response before the attempt's time limit"

SIMULATED_FAILURE = (
    "sandbox: simulated delivery failure {number} of {of} (magic value); not sent, "
    "retried on the usual schedule"
)


def webhook_delivery_attempt(*, delivery_id: uuid.UUID | str) -> str:
    """One HTTP attempt of a delivery; returns the resulting status (or "skipped")."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return "skipped"
    _sent_mark_clear(delivery.pk)  # its message arrived: a retry may be dispatched on time
    endpoint, event = delivery.endpoint, delivery.event
    if delivery.redelivery_of_id is None and delivery.attempts <= event.simulated_failures:
        # Sandbox "webhook failure" magic value: this attempt fails as a dead receiver would,
        # without being sent, and is retried on the live schedule (docs/sandbox.md).
        error = SIMULATED_FAILURE.format(number=delivery.attempts, of=event.simulated_failures)
        return _record_surely(delivery, None, error, 0)
    body = event.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "KYB-Webhooks/1",
        "KYB-Event-Id": str(event.id),
        "KYB-Event-Type": event.type,
        "KYB-Delivery-Id": str(delivery.id),
        "KYB-Signature": signature_header(body, _active_secrets(endpoint), int(time.time())),
    }
    started = time.monotonic()
    status_code: int | None = None
    error = ""
    try:
        # A breaker per receiving host: an integrator's dead receiver fails fast (the attempt
        # is recorded and retried on the usual schedule) instead of holding a worker for the
        # full timeout on every pending delivery.
        response = outbound.breaker_guarded(
            f"webhooks:{_receiver(endpoint.url)}",
            lambda: outbound.request(
                "POST",
                endpoint.url,
                headers=headers,
                body=body,
                timeout=settings.WEBHOOK_TIMEOUT,
                max_bytes=64 * 1024,
                follow_redirects=False,  # a redirect is a failed delivery, never followed
                retries=0,  # our own schedule retries
                provider="webhooks",
            ),
        )
        status_code = response.status
        if not 200 <= response.status < 300:
            error = f"HTTP {response.status}"
    except outbound.CircuitOpen as exc:
        return _defer_unsent(delivery, public_error(exc))
    except outbound.OutboundError as exc:
        error = public_error(exc)
    except SoftTimeLimitExceeded:
        # The outbound deadline ends an attempt first; this is the backstop, so the attempt is
        # recorded and follows the backoff (it escaped, unrecorded, and was resent at every
        # lease's end).
        error = TIMED_OUT
    return _record_surely(delivery, status_code, error, int((time.monotonic() - started) * 1000))


NOT_SENT = "not sent: {error} (the receiver's recent attempts failed); not counted as an attempt"


def _defer_unsent(delivery: WebhookDelivery, error: str) -> str:
    """The receiver's breaker refused the attempt before anything was sent: give the claimed
    attempt back and wait the usual backoff. Counted, refusals used up ``WEBHOOK_MAX_ATTEMPTS``
    while the breaker stayed open (with a short backoff, a delivery died in a minute having
    been sent once). Only attempts that reached the network count; the breaker lets one
    through when it half-opens, and that one counts."""
    wait = timedelta(seconds=backoff_seconds(delivery.attempts))  # this claim's number
    deferred = WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
        attempts=F("attempts") - 1,
        last_error=NOT_SENT.format(error=error)[:500],
        next_attempt_at=timezone.now() + wait,
    )
    return str(DeliveryStatus.PENDING) if deferred else "skipped"


def _receiver(url: str) -> str:
    """What one breaker guards: a host and port. Keyed on the host alone, one integrator's dead
    receiver on a shared host (a SaaS inbox, another port) opened the breaker for every other
    endpoint there."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


# Candidates for an IP address literal (v4, v6, bracketed v6); ipaddress decides.
_ADDRESS_LIKE = re.compile(r"\[?[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]*\]?")


def _hide_address(match: re.Match[str]) -> str:
    token = match.group(0)
    core = token.rstrip(":.")  # "resolves to 10.0.0.5: private" ends the address with ":"
    try:
        ipaddress.ip_address(core.strip("[]"))
    except ValueError:
        return token
    return "[address]" + token[len(core) :]


def public_error(exc: outbound.OutboundError) -> str:
    """What the integrator may read about a failed attempt (the deliveries API shows it): never
    the address a host name resolved to, which would map our network for them. The detail
    stays in our log."""
    if isinstance(exc, outbound.UnresolvableHost):
        # Not a refusal of where the name points: the name points nowhere (a QA pass read
        # "must point to a public internet address" for a typo in the host).
        logger.info("webhook delivery: host did not resolve: %s", exc)
        return "The webhook URL's host name did not resolve."
    if isinstance(exc, outbound.BlockedDestination):
        logger.info("webhook delivery refused: %s", exc)
        return "Refused destination: webhook URLs must point to a public internet address."
    text = _ADDRESS_LIKE.sub(_hide_address, str(exc))
    return text[:500] or type(exc).__name__


def _drop_broken_connection() -> None:
    """A connection that the outage broke is closed, so the next query reconnects."""
    if connection.connection is not None and not connection.is_usable():
        connection.close()


# Seconds between tries of recording an attempt's outcome while the database is unreachable.
RECORD_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)


def _record_surely(delivery: WebhookDelivery, status_code: int | None, error: str, ms: int) -> str:
    """``_record``, tried again for ~15 s if the database went away after the HTTP attempt: the
    receiver may have the event, and an unrecorded attempt would only be retried (sent twice)
    when its lease expires. Past that the lease still bounds the wait."""
    for delay in (*RECORD_RETRY_DELAYS, None):
        try:
            return _record(delivery, status_code, error, ms)
        except (OperationalError, InterfaceError):
            if delay is None:
                raise
            logger.warning("recording delivery %s failed; retrying", delivery.pk, exc_info=True)
            time.sleep(delay)
            _drop_broken_connection()
    raise AssertionError("unreachable")


def _record(delivery: WebhookDelivery, status_code: int | None, error: str, ms: int) -> str:
    now = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            status_code=status_code,
            error=error,
            duration_ms=ms,
        )
        # The endpoint may have been disabled (its pending deliveries abandoned) while this
        # attempt was in flight: read the status under a lock and never revive a dead delivery.
        current = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.status = current.status
        delivery.last_status_code = status_code
        if not error:
            delivery.status = DeliveryStatus.SUCCEEDED  # it did arrive
            delivery.delivered_at = now
            delivery.last_error = ""
        elif delivery.status != DeliveryStatus.PENDING:
            delivery.last_error = f"{current.last_error}; last attempt: {error}"[:500]
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.last_error = error
            delivery.status = DeliveryStatus.DEAD
        else:
            delivery.last_error = error
            delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(delivery.attempts))
        delivery.save(
            update_fields=[
                "last_status_code",
                "last_error",
                "status",
                "delivered_at",
                "next_attempt_at",
            ]
        )
    return str(delivery.status)


def _not_sent_lately(ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """``ids`` less those this dispatcher sent within ``WEBHOOK_LEASE_SECONDS`` (a key per
    delivery in the cache's Redis, set if absent): every 15-s run re-sent each due delivery
    whose message still waited in the queue (500 messages a run under a backlog; the claim
    skipped the copies). Without Redis all are sent: the claim still makes one attempt."""
    if not ids:
        return ids
    try:
        with redis_client().pipeline(transaction=False) as pipe:
            for delivery_id in ids:
                pipe.set(_sent_key(delivery_id), 1, nx=True, ex=settings.WEBHOOK_LEASE_SECONDS)
            fresh = pipe.execute()
    except RedisError:
        logger.warning("webhook dispatch: Redis unavailable, sending every due delivery")
        return ids
    return [delivery_id for delivery_id, new in zip(ids, fresh, strict=True) if new]


def _sent_mark_clear(delivery_id: uuid.UUID) -> None:
    with contextlib.suppress(RedisError):  # else it expires with the lease
        redis_client().delete(_sent_key(delivery_id))


def _sent_key(delivery_id: uuid.UUID) -> str:
    return str(cache.make_key(f"webhooks:sent:{delivery_id}"))


def webhook_deliveries_dispatch_due(*, limit: int = 500) -> int:
    """Enqueue every pending delivery whose time has come (retries, lost messages), unless
    this dispatcher sent it within the lease (its message may still be queued)."""
    due = list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    fresh = _not_sent_lately(due)
    sent = 0
    for delivery_id in fresh:
        if not _enqueue(delivery_id):
            # Broker down: the rest wait for the next run instead of each failing, unmarked so
            # that run sends them (not the lease's end).
            for unsent in fresh[sent:]:
                _sent_mark_clear(unsent)
            break
        sent += 1
    return sent


def webhook_delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event (same id, same body) to the same endpoint again, now."""
    if delivery.endpoint.disabled_at is not None:
        raise DomainError(
            "endpoint_disabled", "The endpoint was deleted or disabled.", status_code=409
        )
    with transaction.atomic():
        again = WebhookDelivery.objects.create(
            event_id=delivery.event_id,
            endpoint_id=delivery.endpoint_id,
            next_attempt_at=timezone.now(),
            redelivery_of=delivery,
        )
        transaction.on_commit(lambda: _enqueue(again.id))
    return again


def webhook_attempts_before(cutoff: datetime) -> QuerySet[WebhookAttempt]:
    """Attempt logs older than ``cutoff``, oldest first by id (the primary key's order is the
    insertion order: no index on ``created_at`` is needed to find them)."""
    return WebhookAttempt.objects.filter(created_at__lt=cutoff).order_by("id")
