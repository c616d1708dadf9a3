from django.apps import AppConfig
from django.db.models.signals import post_migrate


class VerificationsConfig(AppConfig):
    name = "verifications"
    verbose_name = "Verifications and jobs"

    def ready(self) -> None:
        from verifications import erasure, signals  # noqa: F401  (signals: cache invalidation)
        from verifications.groups import review_groups_on_post_migrate

        erasure.connect()  # scrubs its rows when a merchant is erased (merchants.erasure)
        post_migrate.connect(
            review_groups_on_post_migrate, sender=self, dispatch_uid="verifications_review_groups"
        )
