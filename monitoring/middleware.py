"""Answer health probes and metric scrapes before host validation and the HTTPS redirect.

The kubelet and Prometheus call a pod by its IP (``Host: 10.1.2.3:8000``) over plain HTTP. Django
would answer both with an error before any view ran: a 400 for a host outside
``ALLOWED_HOSTS`` (CommonMiddleware's ``get_host()``) or a redirect to https
(``SECURE_SSL_REDIRECT``), so no web pod ever became ready and liveness restarted them all. These
three paths read nothing from the Host header, so they are answered first, outside the rest of
the stack.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from monitoring import views

PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": views.healthz,
    "/readyz": views.readyz,
    "/metrics": views.metrics,
}


class ProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = PROBES.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)
