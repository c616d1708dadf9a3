"""The one settings module. Every knob comes from the environment; see docs/configuration.md.

Secrets may be given as ``NAME_FILE`` paths (see ``kyb.env``). With ``DEBUG=true`` the
development defaults below apply; without it, ``SECRET_KEY`` and ``FIELD_ENCRYPTION_KEY`` are
required and the security settings are production-strict.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import dj_database_url
import django_stubs_ext

from kyb.beat import BEAT_SCHEDULE
from kyb.env import ImproperlyConfiguredEnv, env_bool, env_float, env_int, env_list, env_str
from kyb.queues import CELERY_TASK_QUEUES, Queue

# ModelAdmin[Merchant] and the like are subscriptable at runtime (domain apps are strictly typed).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# Set by manage.py for commands that only read the code (makemigrations): they get throwaway
# secrets instead of refusing to start. Never set it for anything that serves or runs work.
SECRETLESS_COMMAND = env_bool("KYB_SECRETLESS_COMMAND", False)
_THROWAWAY_SECRETS_OK = DEBUG or SECRETLESS_COMMAND

SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not _THROWAWAY_SECRETS_OK:
        raise ImproperlyConfiguredEnv("SECRET_KEY is required unless DEBUG=true")
    SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"  # noqa: S105 - DEBUG only

# Fernet key for tax ids at rest. Dev: derived from SECRET_KEY so `make run` works bare.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", "")
if not FIELD_ENCRYPTION_KEY:
    if not _THROWAWAY_SECRETS_OK:
        raise ImproperlyConfiguredEnv("FIELD_ENCRYPTION_KEY is required unless DEBUG=true")
    FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(
        hashlib.sha256(f"fernet:{SECRET_KEY}".encode()).digest()
    ).decode()


def _secrets_refused(secret_key: str, fernet_key: str, *, debug: bool) -> str | None:
    """Why these secrets must not run, or None. The shipped examples' placeholders (and a
    short SECRET_KEY, which also keys the API-key hashes) are refused in production; a
    FIELD_ENCRYPTION_KEY that is not a Fernet key is refused always: otherwise the first tax id
    written fails as a 500 long after a "successful" start."""
    from cryptography.fernet import Fernet

    try:
        Fernet(fernet_key.encode())
    except ValueError:
        return (
            "FIELD_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64 bytes); generate one "
            "with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key()"
            ".decode())'"
        )
    if not debug and ("change-me" in secret_key.lower() or len(secret_key) < 32):
        return (
            "SECRET_KEY is a placeholder or shorter than 32 characters; generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    return None


_refusal = _secrets_refused(SECRET_KEY, FIELD_ENCRYPTION_KEY, debug=_THROWAWAY_SECRETS_OK)
if _refusal:
    raise ImproperlyConfiguredEnv(_refusal)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django_prometheus",
    "kyb.admin_apps.KybAdminConfig",  # django.contrib.admin with the 2FA-aware site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "kyb",
    "kyb.tenancy",
    "merchants",
    "verifications",
    "classifications",
    "monitoring",
    "webhooks",
    "screening",
    "batches",
]

# Probes and scrapes first (monitoring/middleware.py: they come by pod IP over HTTP); then
# django-prometheus must wrap everything else: Before first, After last.
MIDDLEWARE = [
    "kyb.api.middleware.KnownMethodsMiddleware",
    "monitoring.middleware.ProbeMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "kyb.api.middleware.ThresholdGZipMiddleware",
    # Inside gzip (it compresses the rewritten body), outside everything that may answer HTML.
    "kyb.api.json_errors.ApiJsonErrorsMiddleware",
    "kyb.api.middleware.ApiMiddleware",
    "kyb.api.fastpath.FastReadMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "kyb.urls"
WSGI_APPLICATION = "kyb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- PostgreSQL: psycopg 3 with its connection pool -------------------------------------
# Pool sizes are per process. The plan's budget of 100 open / 25 idle connections is split
# across processes: DB_POOL_MAX_SIZE = 100 // processes, DB_POOL_MIN_SIZE = 25 // processes
# (docs/configuration.md "Connection budget").
DATABASE_URL = env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kyb")
DB_POOL_MIN_SIZE = env_int("DB_POOL_MIN_SIZE", 1)
DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 4)
# A request that cannot get a connection in this long answers 503 (service_unavailable). With
# PostgreSQL down, every request waits it out: 10 s (psycopg's default) held gunicorn threads
# and broke the 2-s answer bound during an outage (issue 12); under load a 1.5-s wait for a
# connection already means overload, and shedding it beats queueing.
DB_POOL_TIMEOUT = env_float("DB_POOL_TIMEOUT", 1.5)
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 30_000)
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 5)
# The plan's connection lifetimes: a pooled connection is replaced after 5 min (spreads load
# onto new PgBouncer/PostgreSQL replicas, bounds server-side memory growth) and closed after
# 1 min idle above min_size (gives the budget back after a burst).
DB_POOL_MAX_LIFETIME = env_float("DB_POOL_MAX_LIFETIME", 300.0)
DB_POOL_MAX_IDLE = env_float("DB_POOL_MAX_IDLE", 60.0)

_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
# django-prometheus's backend, whose pool drops connections the server ended (kyb.pg_backend).
_db["ENGINE"] = "kyb.pg_backend"
_db["ATOMIC_REQUESTS"] = False
_db_options = dict(_db.get("OPTIONS", {}))
_db_options["connect_timeout"] = DB_CONNECT_TIMEOUT
# Sent as a startup parameter, unless DB_STATEMENT_TIMEOUT_VIA_ROLE: PgBouncer refuses unknown
# startup parameters ("options"), so behind it the timeout is the role's default instead
# (`manage.py kyb_bootstrap` runs ALTER ROLE ... SET statement_timeout).
DB_STATEMENT_TIMEOUT_VIA_ROLE = env_bool("DB_STATEMENT_TIMEOUT_VIA_ROLE", False)
if not DB_STATEMENT_TIMEOUT_VIA_ROLE:
    _db_options["options"] = f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
# Values travel apart from the statement (PostgreSQL binds them), and a statement a connection
# has run DB_PREPARE_THRESHOLD times is prepared: the server skips parsing and planning it again.
# Django's default (client-side binding, nothing prepared) suits poolers that cannot hold
# prepared statements; ours keep connections (psycopg's pool, PgBouncer >= 1.21 with
# max_prepared_statements, as k8s/pgbouncer.yaml sets). By measurement on 2026-12-03's fourth
# machine (docs/benchmarks.md, 5 interleaved pairs): PostgreSQL CPU per POST -33 %, POSTs +23 %.
# DB_PREPARE_THRESHOLD=0 prepares nothing; DB_SERVER_SIDE_BINDING=false restores Django's way.
DB_SERVER_SIDE_BINDING = env_bool("DB_SERVER_SIDE_BINDING", True)
DB_PREPARE_THRESHOLD = env_int("DB_PREPARE_THRESHOLD", 5)
if DB_SERVER_SIDE_BINDING:
    _db_options["server_side_binding"] = True
    if DB_PREPARE_THRESHOLD > 0:
        _db_options["prepare_threshold"] = DB_PREPARE_THRESHOLD
if DB_POOL_MAX_SIZE > 0:
    _db_options["pool"] = {
        "min_size": DB_POOL_MIN_SIZE,
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": DB_POOL_TIMEOUT,
        "max_lifetime": DB_POOL_MAX_LIFETIME,
        "max_idle": DB_POOL_MAX_IDLE,
    }
_db["OPTIONS"] = _db_options
_db["TEST"] = {"NAME": env_str("DATABASE_TEST_NAME", "") or None}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: two roles -----------------------------------------------------------------------
# REDIS_URL is the *cache* Redis (django-redis, rate limits, breaker states): it may evict
# (maxmemory + allkeys-lru) and losing it degrades, never breaks (/readyz says "degraded").
# CELERY_BROKER_URL is the *broker* Redis: noeviction + AOF, or an evicting cache would drop
# queued tasks. They default to the same server only for development (docs/deploy.md "Redis").
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "kyb")
CACHE_VERSION = env_int("CACHE_VERSION", 1)
CACHE_SOCKET_TIMEOUT = env_float("CACHE_SOCKET_TIMEOUT", 0.5)
CACHES = {
    "default": {
        "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        "VERSION": CACHE_VERSION,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": CACHE_SOCKET_TIMEOUT,
            "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
            # A Redis outage is a cache miss, never an error (docs/performance.md).
            "IGNORE_EXCEPTIONS": True,
        },
    }
}
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "kyb.cache"
CACHE_TTL_VERIFICATION = env_int("CACHE_TTL_VERIFICATION", 3600)
CACHE_TTL_CLASSIFICATION = env_int("CACHE_TTL_CLASSIFICATION", 7200)
CACHE_TTL_MERCHANT = env_int("CACHE_TTL_MERCHANT", 1800)
CACHE_TTL_NOT_FOUND = env_int("CACHE_TTL_NOT_FOUND", 30)

SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Celery ------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
# No result backend by default: nothing here reads task results, and a Redis result backend
# that is down made every publish wait ~20 s (it subscribes before sending). Internal callers
# that want ``kyb.verifications.submit``'s return value set one.
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = env_int("CELERY_RESULT_EXPIRES", 86_400)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 150)
CELERY_TASK_QUEUES = CELERY_TASK_QUEUES
CELERY_TASK_DEFAULT_QUEUE = Queue.DEFAULT.value
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish (on commit, in a request thread) waits at most this long for a broker that is down.
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("CELERY_BROKER_CONNECTION_TIMEOUT", 1.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # With acks_late on Redis, a task held by a worker that died (main process killed) is
    # redelivered after this many seconds: the worst-case recovery of such a kill. It must
    # exceed the longest hard time limit (CELERY_TASK_TIME_LIMIT) or a slow task runs twice.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 180),
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
}
# A new pool process that has not reported up within this many seconds is killed and
# replaced. Celery's 4 s is too tight for a busy host starting several at once; warm-up runs
# in the background (kyb/celery.py), so this only bounds the import and fork.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = env_float("CELERY_WORKER_PROC_ALIVE_TIMEOUT", 30.0)
CELERY_WORKER_SEND_TASK_EVENTS = True
# A "task-sent" event is a second broker publish on every submission's request thread; the
# pipeline_jobs outbox already records what was sent and when. On for Flower-style monitoring.
CELERY_TASK_SEND_SENT_EVENT = env_bool("CELERY_TASK_SEND_SENT_EVENT", False)
CELERY_TASK_ALWAYS_EAGER = False

# --- Auth, i18n, static -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
# One date format in the console (kyb/locale_formats/en/formats.py).
FORMAT_MODULE_PATH = ["kyb.locale_formats"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))

# Admin 2-factor login (django-otp TOTP): on in production, off with DEBUG unless set.
# Enrol a device with `manage.py add_totp_device USERNAME` (docs/console.md).
ADMIN_REQUIRE_2FA = env_bool("ADMIN_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = "KYB console"

# --- API ----------------------------------------------------------------------------------
API_KEY_HASH_SECRET = env_str("API_KEY_HASH_SECRET", "") or SECRET_KEY
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 600)
API_RATE_WINDOW = env_int("API_RATE_WINDOW", 60)
RATE_LIMIT_REDIS_URL = env_str("RATE_LIMIT_REDIS_URL", REDIS_URL)
RATE_LIMIT_REDIS_MAX_CONNECTIONS = env_int("RATE_LIMIT_REDIS_MAX_CONNECTIONS", 20)
API_GZIP_MIN_BYTES = env_int("API_GZIP_MIN_BYTES", 1024)
IDEMPOTENCY_TTL = env_int("IDEMPOTENCY_TTL", 86_400)
# Requests of one web process that may hold their thread waiting on `Prefer: wait` at once; the
# others are answered at once (202), so waiting callers never take every thread.
PREFER_WAIT_MAX_WAITERS = env_int("PREFER_WAIT_MAX_WAITERS", 1)
# Webhooks: 14 attempts, 30 s doubling to a 6 h cap, span about a day (~26.5 h).
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 14)
WEBHOOK_BACKOFF_BASE = env_int("WEBHOOK_BACKOFF_BASE", 30)
WEBHOOK_BACKOFF_MAX = env_int("WEBHOOK_BACKOFF_MAX", 21_600)
WEBHOOK_TIMEOUT = env_float("WEBHOOK_TIMEOUT", 10.0)
# An attempt whose worker died (or that could not be recorded) is retried after this lease;
# it must exceed the deliver task's hard time limit (45 s) or a slow attempt is sent twice.
WEBHOOK_LEASE_SECONDS = env_int("WEBHOOK_LEASE_SECONDS", 60)
WEBHOOK_MAX_ENDPOINTS = env_int("WEBHOOK_MAX_ENDPOINTS", 16)
WEBHOOK_SECRET_GRACE = env_int("WEBHOOK_SECRET_GRACE", 86_400)
WEBHOOK_REQUIRE_HTTPS = env_bool("WEBHOOK_REQUIRE_HTTPS", not DEBUG)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["kyb.api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["kyb.api.auth.HasApiKeyScope"],
    "DEFAULT_THROTTLE_CLASSES": ["kyb.api.ratelimit.ApiKeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["kyb.api.renderers.OrjsonRenderer"],
    "DEFAULT_PARSER_CLASSES": ["kyb.api.parsers.OrjsonParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kyb.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "UNAUTHENTICATED_TOKEN": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KYB platform API",
    "DESCRIPTION": "Know-Your-Business verification: merchants, verifications, screening.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "AUTHENTICATION_WHITELIST": ["kyb.api.auth.ApiKeyAuthentication"],
    "ENUM_NAME_OVERRIDES": {
        "ScreenEntityTypeEnum": "screening.services.ENTITY_TYPES",
        "VerificationStatusEnum": "verifications.serializers.VERIFICATION_STATUSES",
        "BatchStatusEnum": "batches.serializers.BATCH_STATUSES",
        "BatchItemStatusEnum": "batches.selectors.ITEM_STATUSES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kyb.api.schema.add_response_headers",
        "kyb.api.schema.require_constrained_bodies",
        "kyb.api.schema.add_json_value_component",
    ],
}

# --- Domain knobs ---------------------------------------------------------------------------
# Days an erased merchant's skeleton (decision, reason codes, list versions, timestamps) is kept
# for audit after DELETE /api/v1/merchants/{id}; then a daily beat task purges it.
ERASURE_RETENTION_DAYS = env_int("ERASURE_RETENTION_DAYS", 1825)
# Retention of the tables that only grow (kyb/retention.py, docs/operations.md); 0 keeps forever.
RETENTION_MONITORING_METRICS_DAYS = env_float("RETENTION_MONITORING_METRICS_DAYS", 30)
RETENTION_IDEMPOTENCY_RECORDS_DAYS = env_float("RETENTION_IDEMPOTENCY_RECORDS_DAYS", 2)
RETENTION_VERIFICATION_EVENTS_DAYS = env_float("RETENTION_VERIFICATION_EVENTS_DAYS", 1825)
RETENTION_WEBHOOK_ATTEMPTS_DAYS = env_float("RETENTION_WEBHOOK_ATTEMPTS_DAYS", 90)
RETENTION_BATCH_SIZE = env_int("RETENTION_BATCH_SIZE", 5000)
RETENTION_TIME_BUDGET_SECONDS = env_float("RETENTION_TIME_BUDGET_SECONDS", 240)


def _match_score(name: str, default: float) -> float:
    """A match threshold: a score in (0, 1]; outside it every hit, or none, would match."""
    value = env_float(name, default)
    if not 0.0 < value <= 1.0:
        raise ImproperlyConfiguredEnv(f"{name} must be a score in (0, 1], got {value}")
    return value


SCREENING_MATCH_THRESHOLD = _match_score("SCREENING_MATCH_THRESHOLD", 0.85)
# Hits on organisations (docs/screening.md, "Thresholds").
SCREENING_ORG_MATCH_THRESHOLD = _match_score("SCREENING_ORG_MATCH_THRESHOLD", 0.78)
SCREENING_MAX_HITS = env_int("SCREENING_MAX_HITS", 10)
SCREENING_VERSION_CHECK_SECONDS = env_float("SCREENING_VERSION_CHECK_SECONDS", 5.0)
# Official list refresh (docs/screening-lists.md): which sources the beat task fetches, how often,
# URL overrides ("source=url[,url...];source=url"), the shrink guard and download limits.
SCREENING_REFRESH_SOURCES = env_list(
    "SCREENING_REFRESH_SOURCES", "ofac_sdn,ofac_cons,un,eu_fsf,uk_fcdo,ch_seco,ca_sema"
)
SCREENING_REFRESH_INTERVAL = env_float("SCREENING_REFRESH_INTERVAL", 86400.0)
SCREENING_FEED_URLS = env_str("SCREENING_FEED_URLS", "")
SCREENING_REFRESH_MIN_RATIO = env_float("SCREENING_REFRESH_MIN_RATIO", 0.9)
SCREENING_FETCH_TIMEOUT = env_float("SCREENING_FETCH_TIMEOUT", 120.0)
SCREENING_FETCH_MAX_BYTES = env_int("SCREENING_FETCH_MAX_BYTES", 200 * 1024 * 1024)
# A list whose publisher's date is older than this is reported stale (/readyz, API, console).
SCREENING_STALE_DAYS = env_float("SCREENING_STALE_DAYS", 8.0)
CLASSIFIER_TOP_K = env_int("CLASSIFIER_TOP_K", 5)

# --- Verification engine (issue 4): outbound HTTP, registry, website, risk, jobs ----------
# Outbound HTTP (kyb.outbound): pooled, SSRF-guarded, retried, per-provider circuit breakers.
OUTBOUND_ALLOW_PRIVATE_NETWORKS = env_bool("OUTBOUND_ALLOW_PRIVATE_NETWORKS", False)
OUTBOUND_TIMEOUT = env_float("OUTBOUND_TIMEOUT", 10.0)
OUTBOUND_CONNECT_TIMEOUT = env_float("OUTBOUND_CONNECT_TIMEOUT", 3.0)
OUTBOUND_RETRIES = env_int("OUTBOUND_RETRIES", 2)
OUTBOUND_BACKOFF_FACTOR = env_float("OUTBOUND_BACKOFF_FACTOR", 0.2)
OUTBOUND_BACKOFF_MAX = env_float("OUTBOUND_BACKOFF_MAX", 2.0)
OUTBOUND_MAX_BYTES = env_int("OUTBOUND_MAX_BYTES", 2 * 1024 * 1024)
OUTBOUND_MAX_REDIRECTS = env_int("OUTBOUND_MAX_REDIRECTS", 5)
OUTBOUND_POOL_HOSTS = env_int("OUTBOUND_POOL_HOSTS", 50)
OUTBOUND_POOL_SIZE_PER_HOST = env_int("OUTBOUND_POOL_SIZE_PER_HOST", 4)
OUTBOUND_BREAKER_FAIL_MAX = env_int("OUTBOUND_BREAKER_FAIL_MAX", 5)
OUTBOUND_BREAKER_RESET_TIMEOUT = env_int("OUTBOUND_BREAKER_RESET_TIMEOUT", 60)
OUTBOUND_BREAKER_REDIS_URL = env_str("OUTBOUND_BREAKER_REDIS_URL", REDIS_URL)
# Registry adapters tried in this order; "local" (the bulk-loaded GLEIF table) needs no network.
REGISTRY_ADAPTERS = env_list("REGISTRY_ADAPTERS", "local")
GLEIF_API_URL = env_str("GLEIF_API_URL", "https://api.gleif.org/api/v1")
COMPANIES_HOUSE_API_URL = env_str(
    "COMPANIES_HOUSE_API_URL", "https://api.company-information.service.gov.uk"
)
COMPANIES_HOUSE_API_KEY = env_str("COMPANIES_HOUSE_API_KEY", "")
REGISTRY_TIMEOUT = env_float("REGISTRY_TIMEOUT", 5.0)
# Website check.
WEBSITE_CHECK_ENABLED = env_bool("WEBSITE_CHECK_ENABLED", True)
WEBSITE_TIMEOUT = env_float("WEBSITE_TIMEOUT", 8.0)
WEBSITE_MAX_BYTES = env_int("WEBSITE_MAX_BYTES", 1024 * 1024)
# Risk: score < RISK_REVIEW_THRESHOLD approves, >= RISK_REJECT_THRESHOLD rejects, between reviews.
RISK_REVIEW_THRESHOLD = env_int("RISK_REVIEW_THRESHOLD", 30)
RISK_REJECT_THRESHOLD = env_int("RISK_REJECT_THRESHOLD", 70)
# The integrator-facing reasons an analyst picks from when deciding a case (code: label). The
# code and the label (or the analyst's integrator-facing text) are what the API and webhooks
# show; the internal rationale never leaves the console. Edit the list here (docs/console.md).
DECISION_REASON_CODES: dict[str, str] = {
    "verified": "Business verified",
    "documents_sufficient": "Information provided was sufficient",
    "identity_unverified": "Business identity could not be verified",
    "registry_mismatch": "Registry details do not match the submission",
    "prohibited_activity": "Business activity not supported",
    "risk_policy": "Does not meet our risk policy",
    "other": "Other",
}
# The run task's limits (must stay under CELERY_VISIBILITY_TIMEOUT).
VERIFICATION_SOFT_TIME_LIMIT = env_int("VERIFICATION_SOFT_TIME_LIMIT", 90)
VERIFICATION_TIME_LIMIT = env_int("VERIFICATION_TIME_LIMIT", 120)
# Sweeper (beat, every PIPELINE_SWEEP_INTERVAL s, see kyb/beat.py): re-enqueue jobs the
# broker never took or lost, and revive runs whose worker died.
PIPELINE_SWEEP_QUEUED_AFTER = env_int("PIPELINE_SWEEP_QUEUED_AFTER", 30)
PIPELINE_SWEEP_ENQUEUED_AFTER = env_int("PIPELINE_SWEEP_ENQUEUED_AFTER", 180)
PIPELINE_SWEEP_RUNNING_AFTER = env_int("PIPELINE_SWEEP_RUNNING_AFTER", VERIFICATION_TIME_LIMIT + 60)
PIPELINE_SWEEP_BATCH = env_int("PIPELINE_SWEEP_BATCH", 500)
PIPELINE_JOB_MAX_ATTEMPTS = env_int("PIPELINE_JOB_MAX_ATTEMPTS", 5)
# How a new verification's job reaches the broker (docs/pipeline.md, "The outbox relay"):
# "commit" sends it from the request's own process once its transaction commits; "relay" leaves
# it in the outbox table (pipeline_jobs) for the relay to send, a thread of celery beat or
# `manage.py relay_jobs`, which looks every PIPELINE_RELAY_INTERVAL s. The deploy files use
# "relay": a POST then commits its rows and returns, and the broker is off the request path.
PIPELINE_PUBLISH = env_str("PIPELINE_PUBLISH", "commit")
if PIPELINE_PUBLISH not in {"commit", "relay"}:
    raise ImproperlyConfiguredEnv(
        f"PIPELINE_PUBLISH must be commit or relay, not {PIPELINE_PUBLISH!r}"
    )
PIPELINE_RELAY_INTERVAL = env_float("PIPELINE_RELAY_INTERVAL", 0.1)
PIPELINE_RELAY_BATCH = env_int("PIPELINE_RELAY_BATCH", 200)
# Batches (docs/batches.md): items per request (the API's documented limit), items per
# materialisation task, and seconds a batch may show no materialisation progress before the
# sweeper sends its chunks again. Not environment knobs: the limit is part of the API contract.
BATCH_MAX_ITEMS = 10_000
BATCH_CHUNK_SIZE = 250
BATCH_SWEEP_AFTER = 120
CELERY_TASK_ROUTES = {
    "kyb.verifications.submit": {"queue": Queue.BULK.value},
    "kyb.verifications.sweep": {"queue": Queue.MAINTENANCE.value},
    # Batches (docs/batches.md): fan-out and materialisation on the bulk pool, never in the way
    # of single submissions; the sweeper with the other housekeeping.
    "kyb.batches.sweep": {"queue": Queue.MAINTENANCE.value},
    "kyb.batches.*": {"queue": Queue.BULK.value},
    "kyb.webhooks.*": {"queue": Queue.WEBHOOKS.value},
    # List downloads and re-screens of merchants after a list change (docs/screening-lists.md).
    "kyb.screening.*": {"queue": Queue.MAINTENANCE.value},
}
# --- end verification engine ------------------------------------------------------------

# --- Health ---------------------------------------------------------------------------------
READINESS_TIMEOUT = env_float("READINESS_TIMEOUT", 2.0)

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Probes and Prometheus scrape over plain HTTP inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("API_MAX_BODY_BYTES", 1_048_576)
# POST /api/v1/verification-batches only (kyb/api/bodylimit.py): 10,000 merchants of a typical
# ~1 KiB each, with room for long descriptions. Every other route keeps API_MAX_BODY_BYTES.
API_BATCH_MAX_BODY_BYTES = env_int("API_BATCH_MAX_BODY_BYTES", 16 * 1_048_576)

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"one_line_warning": {"()": "kyb.log_filters.OneLineWarning"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "kyb.cache": {"level": "WARNING"},
        "django.security.DisallowedHost": {"filters": ["one_line_warning"]},
    },
}

# The plan's index names (e.g. idx_business_verifications_status_created) exceed Django's
# portable 30-character limit; PostgreSQL allows 63, and PostgreSQL is the only backend.
SILENCED_SYSTEM_CHECKS = ["models.E034"]
