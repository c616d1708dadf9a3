"""factory_boy factories for monitoring metrics."""

from __future__ import annotations

import factory
from django.utils import timezone

from monitoring.models import MonitoringMetric


class MonitoringMetricFactory(factory.django.DjangoModelFactory[MonitoringMetric]):
    class Meta:
        model = MonitoringMetric

    timestamp = factory.LazyFunction(timezone.now)
    name = "verifications_total"
    value = 1.0
