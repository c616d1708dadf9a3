from django.apps import AppConfig


class KybConfig(AppConfig):
    """The project package is also an app: it owns cross-cutting tables (idempotency)."""

    name = "kyb"
    verbose_name = "Platform"

    def ready(self) -> None:
        from kyb import retention
        from kyb.api.keyring import connect_signals
        from kyb.tracing import configure_tracing

        connect_signals()
        retention.register(
            "idempotency_records",
            days_setting="RETENTION_IDEMPOTENCY_RECORDS_DAYS",
            rows_before=retention.idempotency_records_before,
        )
        configure_tracing()  # off unless OTEL_* asks for it (kyb/tracing.py)
