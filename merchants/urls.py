"""v1 routes of the merchants app."""

from django.urls import path

from merchants.api import MerchantDetailApi, MerchantListCreateApi
from merchants.api_keys_api import ApiKeyDetailApi, ApiKeyListCreateApi

urlpatterns = [
    path("merchants", MerchantListCreateApi.as_view(), name="merchants"),
    path("merchants/<uuid:merchant_id>", MerchantDetailApi.as_view(), name="merchant-detail"),
    path("api-keys", ApiKeyListCreateApi.as_view(), name="api-keys"),
    path("api-keys/<str:prefix>", ApiKeyDetailApi.as_view(), name="api-key-detail"),
]
