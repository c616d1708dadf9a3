"""Admin for the monitoring time series, and the operations page (charts) beside it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from kyb.admin_tools import ReadOnlyAdminMixin
from monitoring.dashboard import operations_charts
from monitoring.models import MonitoringMetric


@admin.register(MonitoringMetric)
class MonitoringMetricAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Any]):
    """The snapshots, read-only; ``operations/`` draws them (and live figures) as charts."""

    list_display = ("timestamp", "name", "value", "labels_text")
    list_filter = ("name",)
    search_fields = ("=name",)
    show_full_result_count = False
    ordering = ("-timestamp",)

    @admin.display(description="labels")
    def labels_text(self, obj: MonitoringMetric) -> str:
        return ", ".join(f"{k}={v}" for k, v in (obj.labels or {}).items()) or "—"

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.operations_view)
        return [path("operations/", view, name="monitoring_operations"), *super().get_urls()]

    def operations_view(self, request: HttpRequest) -> HttpResponse:
        """The operations page: charts drawn by Chart.js from our static files (offline)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Operations",
            "charts": operations_charts(),
        }
        return TemplateResponse(request, "admin/monitoring/operations.html", context)
