"""The monitoring time series (the plan's ``monitoring_metrics`` table)."""

from __future__ import annotations

from django.db import models


class MonitoringMetric(models.Model):
    """One sample of a named figure at a time, with labels; written by the snapshot beat task."""

    timestamp = models.DateTimeField()
    name = models.CharField(max_length=100)
    value = models.FloatField()
    labels = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "monitoring_metrics"
        indexes = [models.Index(fields=["timestamp"], name="idx_monitoring_metrics_timestamp")]

    def __str__(self) -> str:
        return f"{self.name}={self.value} @ {self.timestamp:%Y-%m-%d %H:%M}"
