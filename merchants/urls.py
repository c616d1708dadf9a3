"""v1 routes of the merchants app."""

from django.urls import path

from merchants.api import MerchantDetailApi, MerchantListCreateApi

urlpatterns = [
    path("merchants", MerchantListCreateApi.as_view(), name="merchants"),
    path("merchants/<uuid:merchant_id>", MerchantDetailApi.as_view(), name="merchant-detail"),
]
