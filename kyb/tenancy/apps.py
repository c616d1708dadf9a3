from django.apps import AppConfig


class TenancyConfig(AppConfig):
    """Integrators and API keys. Part of the plumbing: it imports no domain app, and the
    domain apps point their foreign keys at it (label ``tenancy``)."""

    name = "kyb.tenancy"
    label = "tenancy"
    verbose_name = "Integrators and API keys"
