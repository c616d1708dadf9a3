"""Stock Django REST framework: the reference `make loadtest` puts beside our POST figure.

Issue #10 asks for 800 POST verifications a second at 64 connections on two cores. To tell how
far any Django app can go on this machine, the load test also serves this app through the same
front (deploy/nginx/kyb.conf) and the same gunicorn sizing, against the same PostgreSQL, and
sends it the same wrk POSTs. It is what `django-admin startproject` plus a DRF tutorial gives:
the default middleware, DRF's default authentication and permission classes (anonymous,
AllowAny), a ModelSerializer and a ModelViewSet that inserts one row per POST and commits it
durably (autocommit), with persistent database connections (CONN_MAX_AGE), the one setting any
deployment changes. Our POST does more: API-key authentication, tenancy, a rate limit, an
idempotency record, four rows (verification, job, audit, webhook fan-out) in one transaction.

Not a product module: nothing of ours imports it. With ``scripts/loadtest`` on the path,
``python -c "import stock_drf; stock_drf.create_table()"`` creates (or empties) its one table,
``stock_drf_item``, in DATABASE_URL's database, and gunicorn serves ``stock_drf:application``.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote, urlsplit

import django
from django.conf import settings


def _database() -> dict[str, Any]:
    url = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kyb"))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": url.path.lstrip("/"),
        "USER": unquote(url.username or ""),
        "PASSWORD": unquote(url.password or ""),
        "HOST": url.hostname or "",
        "PORT": str(url.port or ""),
        "CONN_MAX_AGE": 60,
    }


if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY=os.environ.get("SECRET_KEY", "stock-drf-reference-only"),
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "rest_framework",
            "stock_drf",
        ],
        # startproject's middleware, less the two that need the admin's apps (messages) or
        # templates; XFrameOptions and CSRF stay (DRF's views are CSRF-exempt).
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        DATABASES={"default": _database()},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        USE_TZ=True,
        REST_FRAMEWORK={"DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]},
    )
    django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after settings)
from django.db import connection, models  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework import routers, serializers, viewsets  # noqa: E402


class Item(models.Model):
    merchant_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    # Django's default manager, spelled out: mypy's Django plugin reads kyb.settings, where this
    # app is not installed.
    objects: models.Manager[Item] = models.Manager()

    class Meta:
        app_label = "stock_drf"

    def __str__(self) -> str:
        return self.merchant_id


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "merchant_id", "created_at"]


class ItemViewSet(viewsets.ModelViewSet):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


router = routers.DefaultRouter(trailing_slash=False)
# The path wrk's POST scenario uses for ours (scripts/loadtest/kyb.lua).
router.register("api/v1/verifications", ItemViewSet)
urlpatterns = [path("healthz", healthz), *router.urls]


def create_table() -> None:
    """Create ``stock_drf_item`` if it is missing, and empty it."""
    with connection.schema_editor() as editor:
        if Item._meta.db_table not in connection.introspection.table_names():
            editor.create_model(Item)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Item._meta.db_table}")


application = get_wsgi_application()
