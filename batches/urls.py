"""v1 routes of the batches app."""

from django.urls import path

from batches.api import BatchDetailApi, BatchItemListApi, BatchListCreateApi

urlpatterns = [
    path("verification-batches", BatchListCreateApi.as_view(), name="verification-batches"),
    path(
        "verification-batches/<uuid:batch_id>",
        BatchDetailApi.as_view(),
        name="verification-batch-detail",
    ),
    path(
        "verification-batches/<uuid:batch_id>/items",
        BatchItemListApi.as_view(),
        name="verification-batch-items",
    ),
]
