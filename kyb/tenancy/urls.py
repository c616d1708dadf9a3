"""v1 routes of tenancy: an integrator's own API keys."""

from django.urls import path

from kyb.tenancy.api import ApiKeyDetailApi, ApiKeyListCreateApi

urlpatterns = [
    path("api-keys", ApiKeyListCreateApi.as_view(), name="api-keys"),
    path("api-keys/<str:prefix>", ApiKeyDetailApi.as_view(), name="api-key-detail"),
]
