"""The review console's groups and what each may do (docs/console.md).

The data migration ``0006_analyst_groups`` creates them with a frozen copy of these lists. After
every ``migrate`` (and every test-database flush, which empties ``auth_group``) a post_migrate
receiver creates any group that is missing; groups that exist are left as operators made them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions

ANALYST = (
    "tenancy.view_integrator",
    "merchants.view_merchant",
    "verifications.view_businessverification",
    "verifications.view_verificationevent",
    "verifications.view_analystaction",
    "verifications.decide_verification",
    "verifications.assign_verification",
    "verifications.rerun_verification",
    "verifications.add_casenote",
    "verifications.view_casenote",
    "classifications.view_classification",
    "screening.view_watchlist",
    "screening.view_watchlistentry",
    "screening.view_clearedhit",
    "screening.add_clearedhit",
)
SENIOR_ANALYST = (
    *ANALYST,
    "verifications.reveal_pii",
    "verifications.override_sanctions_match",
    "verifications.reassign_verification",
)
ADMIN = "admin"  # every permission
GROUPS = {"analyst": ANALYST, "senior analyst": SENIOR_ANALYST}


def _ensure_permissions(apps: Any, using: str) -> None:
    """Permissions are created after migrations; create them now for a fresh database."""
    for app_config in apps.get_app_configs():
        original = getattr(app_config, "models_module", None)
        app_config.models_module = True  # create_permissions skips apps without models
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = original


def review_groups_ensure(*, apps: Any, using: str = "default") -> list[str]:
    """Create each missing console group with its permissions; returns the names created."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    existing = set(group_model.objects.using(using).values_list("name", flat=True))
    missing = [name for name in (*GROUPS, ADMIN) if name not in existing]
    if not missing:
        return []
    _ensure_permissions(apps, using)
    permissions = permission_model.objects.using(using).select_related("content_type")
    by_code = {f"{p.content_type.app_label}.{p.codename}": p for p in permissions}
    for name in missing:
        codes = GROUPS.get(name)
        if codes is not None and set(codes) - set(by_code):
            raise RuntimeError(
                f"permissions missing for {name!r}: {sorted(set(codes) - set(by_code))}"
            )
        group = group_model.objects.using(using).create(name=name)
        granted = [by_code[c] for c in codes] if codes is not None else list(by_code.values())
        group.permissions.add(*granted)
    return missing


def review_groups_on_post_migrate(
    sender: Any, apps: Any = None, using: str = "default", **kwargs: Any
) -> None:
    """post_migrate receiver: recreate missing groups (see the module docstring)."""
    from django.apps import apps as global_apps

    review_groups_ensure(apps=apps or global_apps, using=using)
