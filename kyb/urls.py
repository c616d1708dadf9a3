"""URL map: admin, API v1, schema/docs, health and metrics.

The apps are mounted by module path (include("app.urls")), as INSTALLED_APPS names them: the
plumbing package imports no domain app.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.urls import URLPattern, URLResolver, include, path

from kyb.api.docs import SchemaApi, SchemaDocsView
from kyb.api.index import ApiIndexApi

# Each app contributes its v1 routes.
api_v1: list[URLPattern | URLResolver] = [
    path("", ApiIndexApi.as_view(), name="index"),
    path("", include("kyb.tenancy.urls")),
    path("", include("merchants.urls")),
    path("", include("verifications.urls")),
    path("", include("batches.urls")),
    path("", include("classifications.urls")),
    path("", include("webhooks.urls")),
    path("", include("screening.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SchemaApi.as_view(), name="schema"),
    path("api/docs/", SchemaDocsView.as_view(url_name="schema"), name="api-docs"),
    path("", include("monitoring.urls")),  # healthz, readyz, metrics
]

# `make run` serves the app with gunicorn, not runserver: in DEBUG let Django serve the admin's
# CSS/JS from the app folders (staticfiles_urlpatterns is a no-op without DEBUG). Production
# serves STATIC_ROOT (collectstatic) from the ingress or a proxy.
if settings.DEBUG:
    urlpatterns += staticfiles_urlpatterns()

handler400 = "kyb.api.errors.bad_request"
handler404 = "kyb.api.errors.not_found"
handler500 = "kyb.api.errors.server_error"
