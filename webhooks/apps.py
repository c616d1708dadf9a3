from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from verifications import effects
        from webhooks.services import webhook_on_verification_changed

        effects.register(webhook_on_verification_changed)
