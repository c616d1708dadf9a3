from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    """Sanctions screening: watchlists, the in-memory matcher, false-positive memory."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "screening"
