from django.apps import AppConfig


class KybConfig(AppConfig):
    """The project package is also an app: it owns cross-cutting tables (idempotency)."""

    name = "kyb"
    verbose_name = "Platform"

    def ready(self) -> None:
        from kyb.api.keyring import connect_signals
        from kyb.tracing import configure_tracing

        connect_signals()
        configure_tracing()  # off unless OTEL_* asks for it (kyb/tracing.py)
