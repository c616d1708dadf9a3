from django.apps import AppConfig


class VerificationsConfig(AppConfig):
    name = "verifications"
    verbose_name = "Verifications and jobs"

    def ready(self) -> None:
        from verifications import signals  # noqa: F401  (connects cache invalidation)
