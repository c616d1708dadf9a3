from django.apps import AppConfig


class KybConfig(AppConfig):
    """The project package is also an app: it owns cross-cutting tables (idempotency)."""

    name = "kyb"
    verbose_name = "Platform"

    def ready(self) -> None:
        from kyb.api.keyring import connect_signals

        connect_signals()
