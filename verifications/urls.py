"""v1 routes of the verifications app."""

from django.urls import path

from verifications.api import VerificationDetailApi, VerificationListCreateApi
from verifications.merchant_classifications_api import MerchantClassificationsApi

urlpatterns = [
    path("verifications", VerificationListCreateApi.as_view(), name="verifications"),
    path(
        "verifications/<uuid:verification_id>",
        VerificationDetailApi.as_view(),
        name="verification-detail",
    ),
    path(
        "merchants/<uuid:merchant_id>/classifications",
        MerchantClassificationsApi.as_view(),
        name="merchant-classifications",
    ),
]
