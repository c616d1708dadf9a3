"""``django.contrib.admin`` configured with the project's admin site (kyb.admin_site)."""

from django.contrib.admin.apps import AdminConfig


class KybAdminConfig(AdminConfig):
    """``django.contrib.admin`` with ``KybAdminSite`` (2-factor gate) as the default site."""

    default_site = "kyb.admin_site.KybAdminSite"
