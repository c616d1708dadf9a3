from django.apps import AppConfig
from django.db.models.signals import post_migrate


class VerificationsConfig(AppConfig):
    name = "verifications"
    verbose_name = "Verifications and jobs"

    def ready(self) -> None:
        from screening import events as screening_events
        from verifications import signals  # noqa: F401  (connects cache invalidation)
        from verifications.groups import review_groups_on_post_migrate
        from verifications.monitoring import merchants_rescreen

        screening_events.register(merchants_rescreen)  # ongoing monitoring

        post_migrate.connect(
            review_groups_on_post_migrate, sender=self, dispatch_uid="verifications_review_groups"
        )
