"""v1 routes of the merchants app."""

from django.urls import path

from merchants.api import MerchantClassificationsApi, MerchantDetailApi, MerchantListCreateApi

urlpatterns = [
    path("merchants", MerchantListCreateApi.as_view(), name="merchants"),
    path("merchants/<uuid:merchant_id>", MerchantDetailApi.as_view(), name="merchant-detail"),
    path(
        "merchants/<uuid:merchant_id>/classifications",
        MerchantClassificationsApi.as_view(),
        name="merchant-classifications",
    ),
]
