"""Admin for webhook endpoints and their deliveries (redeliver action)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages

from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.services import webhook_delivery_redeliver


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "integrator", "event_types", "disabled_at", "created_at")
    list_select_related = ("integrator",)
    list_filter = ("disabled_at",)
    search_fields = ("url", "integrator__name")
    readonly_fields = ("previous_secret_expires_at", "created_at")
    autocomplete_fields = ("integrator",)
    show_full_result_count = False


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "status_code", "error", "duration_ms", "created_at")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "endpoint",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
    )
    list_select_related = ("endpoint", "event")
    list_filter = ("status",)
    search_fields = ("=id", "=event__id")
    raw_id_fields = ("event", "endpoint", "redelivery_of")
    inlines = (WebhookAttemptInline,)
    actions = ("redeliver",)
    show_full_result_count = False
    ordering = ("-created_at",)

    @admin.action(description="Redeliver the selected deliveries", permissions=["change"])
    def redeliver(self, request: Any, queryset: Any) -> None:
        for delivery in queryset.select_related("endpoint"):
            webhook_delivery_redeliver(delivery=delivery)
        messages.success(request, f"{queryset.count()} redelivery(ies) queued.")


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("id", "type", "integrator", "created_at")
    list_filter = ("type",)
    search_fields = ("=id",)
    show_full_result_count = False
