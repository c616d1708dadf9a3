"""Admin for the monitoring time series."""

from __future__ import annotations

from django.contrib import admin

from monitoring.models import MonitoringMetric


@admin.register(MonitoringMetric)
class MonitoringMetricAdmin(admin.ModelAdmin):
    list_display = ("timestamp", "name", "value", "labels")
    list_filter = ("name",)
    search_fields = ("=name",)
    show_full_result_count = False
    ordering = ("-timestamp",)
