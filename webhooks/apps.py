from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from verifications import effects
        from webhooks.services import webhook_on_verification_changed

        effects.register(webhook_on_verification_changed)

        from webhooks import erasure

        erasure.connect()  # after verifications': its eraser runs last, its event goes out last
