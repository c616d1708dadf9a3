"""Integrators, API keys and their audit move from the merchants app to tenancy (kyb/tenancy).

State only: the tables (``integrators``, ``api_keys``, ``api_key_events``) keep their names, rows
and constraints. Content types are relabelled so admin history and granted permissions follow.
It runs after the review groups' migration, which grants ``merchants.view_integrator``.
"""

import uuid

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

MODELS = ("integrator", "apikey", "apikeyevent")


def relabel_content_types(apps, schema_editor):
    """merchants.<model> content types become tenancy.<model>. Where a tenancy one exists
    already (a permission sync ran in between), its permissions are merged into the old rows'
    grants and the newer duplicate goes; admin log entries keep pointing at the kept row."""
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    for model in MODELS:
        old = content_type.objects.filter(app_label="merchants", model=model).first()
        if old is None:
            continue
        new = content_type.objects.filter(app_label="tenancy", model=model).first()
        if new is not None:
            for perm in permission.objects.filter(content_type=new):
                kept = permission.objects.filter(content_type=old, codename=perm.codename).first()
                if kept is None:
                    perm.content_type = old
                    perm.save(update_fields=["content_type"])
                    continue
                for group in perm.group_set.all():
                    group.permissions.add(kept)
                for user in perm.user_set.all():
                    user.user_permissions.add(kept)
                perm.delete()
            new.delete()
        old.app_label = "tenancy"
        old.save(update_fields=["app_label"])


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("merchants", "0009_merchants_lei_people_search_indexes"),
        ("verifications", "0012_verification_source_monitoring"),
    ]

    operations = [
        migrations.RunPython(relabel_content_types, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Integrator",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("name", models.CharField(max_length=200, unique=True)),
                        ("is_active", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "db_table": "integrators",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="ApiKey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(blank=True, max_length=100)),
                        ("prefix", models.CharField(max_length=16, unique=True)),
                        ("key_hash", models.CharField(max_length=64, unique=True)),
                        (
                            "scopes",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(
                                    choices=[
                                        ("read", "read"),
                                        ("write", "write"),
                                        ("admin", "admin"),
                                    ],
                                    max_length=16,
                                ),
                                default=list,
                                size=None,
                            ),
                        ),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "integrator",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="api_keys",
                                to="tenancy.integrator",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "API key",
                        "db_table": "api_keys",
                    },
                ),
                migrations.CreateModel(
                    name="ApiKeyEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[("created", "created"), ("revoked", "revoked")],
                                max_length=16,
                            ),
                        ),
                        (
                            "actor",
                            models.CharField(
                                help_text="'api_key:<prefix>', 'user:<username>', 'cli' or 'system'",
                                max_length=150,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "api_key",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="events",
                                to="tenancy.apikey",
                            ),
                        ),
                        (
                            "integrator",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="tenancy.integrator",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "api_key_events",
                        "indexes": [
                            models.Index(
                                fields=["integrator", "-created_at"],
                                name="idx_api_key_events_integr",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
