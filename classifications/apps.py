from django.apps import AppConfig


class ClassificationsConfig(AppConfig):
    name = "classifications"
    verbose_name = "Industry classification"

    def ready(self) -> None:
        from classifications import signals  # noqa: F401  (connects cache invalidation)
