from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    """Sanctions screening: watchlists, the in-memory matcher, false-positive memory."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "screening"

    def ready(self) -> None:
        from kyb.warmup import warm_up_register

        warm_up_register("screening index", _load_index)  # reads the database: after the fork


def _load_index() -> object:
    from screening.engine import current_index

    return current_index()
