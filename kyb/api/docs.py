"""The OpenAPI schema (``/api/schema/``) and its Swagger UI (``/api/docs/``), both public."""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from django.conf import settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response


class SchemaApi(SpectacularAPIView):
    """The schema of the code that runs, built once per process.

    Each build cost 0.4-1.4 s of CPU, and anyone could ask for it without a key. Its version is
    the settings' own: drf-spectacular took ``?version=`` from the query string into the
    ``Content-Disposition`` header (quotes, CR/LF and NUL included, the last two a 500).
    """

    api_version = str(settings.SPECTACULAR_SETTINGS["VERSION"])
    http_method_names: ClassVar[list[str]] = ["get", "head"]  # type: ignore[misc]
    _schema: ClassVar[dict[str, Any] | None] = None
    _lock = threading.Lock()

    def _get_schema_response(self, request: Request) -> Response:
        with self._lock:
            if SchemaApi._schema is None:
                generator = self.generator_class(
                    urlconf=self.urlconf, api_version=self.api_version, patterns=self.patterns
                )
                SchemaApi._schema = generator.get_schema(request=request, public=True)
        filename = self._get_filename(request, self.api_version)
        return Response(
            data=SchemaApi._schema,
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )


class SchemaDocsView(SpectacularSwaggerView):
    """Swagger UI. Only GET: OPTIONS went to DRF's metadata, which the HTML renderer has no
    template for (a 500)."""

    http_method_names: ClassVar[list[str]] = ["get", "head"]  # type: ignore[misc]
