"""Health, readiness and Prometheus metrics: unauthenticated, mounted at the root (kyb/urls.py)."""

from django.urls import path

from monitoring import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="prometheus-metrics"),
]
