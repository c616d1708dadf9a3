from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from kyb import retention
        from monitoring.services import monitoring_metrics_before

        retention.register(
            "monitoring_metrics",
            days_setting="RETENTION_MONITORING_METRICS_DAYS",
            rows_before=monitoring_metrics_before,
        )
