"""Analysts and senior analysts may read and write internal case notes; ``admin`` gets every
permission that exists now (as in 0006)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

NOTE_PERMISSIONS = [("verifications", "add_casenote"), ("verifications", "view_casenote")]


def _ensure_permissions(apps):
    # Permissions are normally created after all migrations (post_migrate): create them now.
    for app_config in apps.get_app_configs():
        original = getattr(app_config, "models_module", None)
        app_config.models_module = True  # create_permissions skips apps without models
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    _ensure_permissions(apps)
    perms = [
        p
        for p in Permission.objects.select_related("content_type")
        if (p.content_type.app_label, p.codename) in NOTE_PERMISSIONS
    ]
    for group in Group.objects.filter(name__in=["analyst", "senior analyst"]):
        group.permissions.add(*perms)
    for group in Group.objects.filter(name="admin"):
        group.permissions.add(*Permission.objects.all())


class Migration(migrations.Migration):
    dependencies = [("verifications", "0009_review_console_v2")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
