from django.apps import AppConfig
from django.db.models.signals import post_migrate


class VerificationsConfig(AppConfig):
    name = "verifications"
    verbose_name = "Verifications and jobs"

    def ready(self) -> None:
        from celery.signals import beat_init

        from kyb import events, retention
        from kyb.api.fastpath import fast_read_register
        from screening import events as screening_events
        from verifications import erasure, signals  # noqa: F401  (signals: cache invalidation)
        from verifications.groups import review_groups_on_post_migrate
        from verifications.monitoring import merchants_rescreen
        from verifications.pipeline.relay import relay_in_beat
        from verifications.review import information_request_answered
        from verifications.selectors import VERIFICATION_NAMESPACE, verification_body
        from verifications.services import verification_events_before

        beat_init.connect(relay_in_beat, weak=False, dispatch_uid="kyb_outbox_relay")
        screening_events.register(merchants_rescreen)  # ongoing monitoring
        events.subscribe(information_request_answered)  # merchant.updated closes a request
        retention.register(
            "verification_events",
            days_setting="RETENTION_VERIFICATION_EVENTS_DAYS",
            rows_before=verification_events_before,
        )

        erasure.connect()  # scrubs its rows when a merchant is erased (merchants.erasure)
        post_migrate.connect(
            review_groups_on_post_migrate, sender=self, dispatch_uid="verifications_review_groups"
        )
        fast_read_register(
            name="verifications-detail",
            pattern=r"/api/v1/verifications/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
            namespace=VERIFICATION_NAMESPACE,
            ttl_setting="CACHE_TTL_VERIFICATION",
            loader=verification_body,
            not_found="Verification not found.",
        )
