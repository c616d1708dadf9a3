from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from verifications import effects
        from webhooks.models import WebhookEndpoint
        from webhooks.services import webhook_endpoints_changed, webhook_on_verification_changed

        effects.register(webhook_on_verification_changed)

        from batches import effects as batch_effects
        from webhooks.batches import webhook_on_batch_changed

        batch_effects.register(webhook_on_batch_changed)
        for signal in (post_save, post_delete):
            signal.connect(
                webhook_endpoints_changed,
                sender=WebhookEndpoint,
                dispatch_uid=f"endpoints-{signal}",
            )

        from webhooks import erasure

        erasure.connect()  # after verifications': its eraser runs last, its event goes out last
