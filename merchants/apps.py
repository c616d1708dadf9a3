from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "merchants"
    verbose_name = "Merchants and integrators"

    def ready(self) -> None:
        from merchants import signals  # noqa: F401  (connects cache invalidation)
