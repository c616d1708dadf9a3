"""Admin for webhook endpoints (with their recent deliveries) and deliveries (redeliver).

Endpoints are created and rotated through the API (their secret is shown once there); here they
are read-only apart from the description, and can be disabled. Deliveries and attempts are the
delivery log: read-only, never deleted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from kyb.admin_tools import (
    EstimatedCountPaginator,
    FixedChoicesFilter,
    ReadOnlyAdminMixin,
    SaveChangedFieldsMixin,
    UUIDSearchMixin,
)
from kyb.errors import DomainError
from webhooks.models import (
    EVENT_TYPES,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from webhooks.services import webhook_delivery_redeliver, webhook_endpoint_disable

RECENT_DELIVERIES = 20


class RecentDeliveriesFormSet(BaseInlineFormSet[Any, Any, Any]):
    """Only the newest ``RECENT_DELIVERIES`` of the endpoint (the rest: deliveries changelist)."""

    def get_queryset(self) -> QuerySet[Any]:
        if not hasattr(self, "_recent"):
            self._recent = super().get_queryset().order_by("-created_at")[:RECENT_DELIVERIES]
        return self._recent


class RecentDeliveryInline(ReadOnlyAdminMixin, admin.TabularInline[Any, Any]):
    model = WebhookDelivery
    formset = RecentDeliveriesFormSet
    fk_name = "endpoint"
    extra = 0
    verbose_name_plural = f"recent deliveries (newest {RECENT_DELIVERIES})"
    fields = ("delivery", "event_type", "status", "attempts", "attempt_log", "created_at")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        return super().get_queryset(request).select_related("event").prefetch_related("log")

    @admin.display(description="delivery")
    def delivery(self, delivery: WebhookDelivery) -> str:
        url = reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk])
        return format_html('<a href="{}">{}</a>', url, str(delivery.pk)[:8])

    @admin.display(description="event")
    def event_type(self, delivery: WebhookDelivery) -> str:
        return delivery.event.type

    @admin.display(description="attempts (status / error)")
    def attempt_log(self, delivery: WebhookDelivery) -> str:
        return format_html_join(
            "",
            "<div>#{} {} {} ms {}</div>",
            (
                (a.number, a.status_code or "—", a.duration_ms, a.error[:80])
                for a in delivery.log.all()
            ),
        )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SaveChangedFieldsMixin, admin.ModelAdmin[Any]):
    """An integrator's endpoints with their newest deliveries inline."""

    list_display = ("url", "integrator", "livemode", "event_types", "disabled_at", "created_at")
    list_select_related = ("integrator",)
    list_filter = ("disabled_at",)
    search_fields = ("url", "integrator__name")
    fields = (
        "integrator",
        "url",
        "description",
        "event_types",
        "all_deliveries",
        "previous_secret_expires_at",
        "disabled_at",
        "created_at",
    )
    readonly_fields = tuple(f for f in fields if f != "description")
    inlines = (RecentDeliveryInline,)
    actions = ("disable",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # per-option counts would scan the table
    ordering = ("-created_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created through the API, which hands out the secret once

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # disable instead: the delivery log stays

    @admin.display(description="deliveries")
    def all_deliveries(self, endpoint: WebhookEndpoint) -> str:
        url = reverse("admin:webhooks_webhookdelivery_changelist")
        return format_html(
            '<a href="{}?endpoint__id__exact={}">all deliveries</a>', url, endpoint.pk
        )

    @admin.action(description="Disable the selected endpoints", permissions=["change"])
    def disable(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        endpoints = list(queryset.filter(disabled_at__isnull=True))
        for endpoint in endpoints:
            webhook_endpoint_disable(endpoint=endpoint)
        self.message_user(request, f"{len(endpoints)} endpoint(s) disabled.", messages.SUCCESS)


class WebhookAttemptInline(ReadOnlyAdminMixin, admin.TabularInline[Any, Any]):
    model = WebhookAttempt
    extra = 0
    fields = ("number", "status_code", "error", "duration_ms", "created_at")
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(UUIDSearchMixin, admin.ModelAdmin[Any]):
    """The delivery log; ``redeliver`` sends the same event (same id and body) again."""

    list_display = (
        "id",
        "endpoint",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
    )
    list_select_related = ("endpoint", "event")
    list_filter = ("status",)
    # A delivery or event id, looked up by index; nothing else is searchable.
    uuid_search_fields = ("id", "event_id")
    uuid_search_only = True
    search_fields = ("=id",)  # shows the search box; UUIDSearchMixin answers it
    fields = (
        "event",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
        "redelivery_of",
        "created_at",
    )
    readonly_fields = fields
    inlines = (WebhookAttemptInline,)
    actions = ("redeliver",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # per-option counts would scan the table
    ordering = ("-created_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """*change* guards the redeliver action; a delivery's own page is view-only (no Save
        button over fields that are all read-only)."""
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Redeliver the selected deliveries", permissions=["change"])
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        """A new delivery per selected one (same event); refused for disabled endpoints."""
        queued = 0
        for delivery in queryset.select_related("endpoint"):
            try:
                webhook_delivery_redeliver(delivery=delivery)
            except DomainError as exc:
                self.message_user(request, f"Delivery {delivery.pk}: {exc}", messages.WARNING)
            else:
                queued += 1
        self.message_user(request, f"{queued} redelivery(ies) queued.", messages.SUCCESS)


class EventTypeFilter(FixedChoicesFilter):
    """The event types we emit."""

    title = "type"
    parameter_name = "type"
    values = EVENT_TYPES


@admin.register(WebhookEvent)
class WebhookEventAdmin(UUIDSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin[Any]):
    list_display = ("id", "type", "integrator", "created_at")
    list_select_related = ("integrator",)
    list_filter = (EventTypeFilter,)
    uuid_search_fields = ("id",)
    uuid_search_only = True
    search_fields = ("=id",)  # shows the search box; UUIDSearchMixin answers it
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # per-option counts would scan the table
    ordering = ("-created_at",)
