"""v1 routes of the webhooks app."""

from django.urls import path

from webhooks.api import (
    WebhookDeliveryListApi,
    WebhookEndpointDetailApi,
    WebhookEndpointListCreateApi,
    WebhookEndpointRotateSecretApi,
    WebhookRedeliverApi,
)

urlpatterns = [
    path("webhook-endpoints", WebhookEndpointListCreateApi.as_view(), name="webhook-endpoints"),
    path("webhook-endpoints/<uuid:endpoint_id>", WebhookEndpointDetailApi.as_view()),
    path(
        "webhook-endpoints/<uuid:endpoint_id>/rotate-secret",
        WebhookEndpointRotateSecretApi.as_view(),
    ),
    path("webhook-endpoints/<uuid:endpoint_id>/deliveries", WebhookDeliveryListApi.as_view()),
    path("webhook-deliveries/<uuid:delivery_id>/redeliver", WebhookRedeliverApi.as_view()),
]
