"""The review console's groups: ``analyst``, ``senior analyst`` and ``admin`` (docs/console.md).

Least privilege: a staff user in no group sees nothing. ``admin`` gets every permission that
exists when this runs. Permissions are normally created after all migrations (post_migrate), so
they are created here first for a fresh database.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ANALYST = [
    "merchants.view_integrator",
    "merchants.view_merchant",
    "verifications.view_businessverification",
    "verifications.view_verificationevent",
    "verifications.view_analystaction",
    "verifications.decide_verification",
    "verifications.assign_verification",
    "verifications.rerun_verification",
    "classifications.view_classification",
    "screening.view_watchlist",
    "screening.view_watchlistentry",
    "screening.view_clearedhit",
    "screening.add_clearedhit",
]
SENIOR_ANALYST = [
    *ANALYST,
    "verifications.reveal_pii",
    "verifications.override_sanctions_match",
    "verifications.reassign_verification",
]
GROUPS = {"analyst": ANALYST, "senior analyst": SENIOR_ANALYST}


def _ensure_permissions(apps):
    for app_config in apps.get_app_configs():
        original = getattr(app_config, "models_module", None)
        app_config.models_module = True  # create_permissions skips apps without models
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    _ensure_permissions(apps)
    for name, codes in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = {tuple(code.split(".", 1)) for code in codes}
        perms = [
            p
            for p in Permission.objects.select_related("content_type")
            if (p.content_type.app_label, p.codename) in wanted
        ]
        missing = wanted - {(p.content_type.app_label, p.codename) for p in perms}
        if missing:
            raise RuntimeError(f"permissions missing for group {name!r}: {sorted(missing)}")
        group.permissions.add(*perms)
    admin, _ = Group.objects.get_or_create(name="admin")
    admin.permissions.add(*Permission.objects.all())


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[*GROUPS, "admin"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("verifications", "0005_review_queue_indexes"),
        ("merchants", "0003_plan_indexes"),
        ("classifications", "0003_reference_tables"),
        ("screening", "0002_cleared_hits"),
        ("monitoring", "0002_plan_indexes"),
        ("webhooks", "0001_webhooks"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
