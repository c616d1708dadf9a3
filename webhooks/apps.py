from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from kyb import events, retention
        from webhooks.models import WebhookEndpoint
        from webhooks.services import (
            webhook_attempts_before,
            webhook_endpoints_changed,
            webhook_on_event,
        )

        # Webhooks listen to what the domain apps announce; they import none of them.
        events.subscribe(webhook_on_event)
        retention.register(
            "webhook_attempts",
            days_setting="RETENTION_WEBHOOK_ATTEMPTS_DAYS",
            rows_before=webhook_attempts_before,
        )
        for signal in (post_save, post_delete):
            signal.connect(
                webhook_endpoints_changed,
                sender=WebhookEndpoint,
                dispatch_uid=f"endpoints-{signal}",
            )
