"""Integrators, API keys and their events now belong to tenancy (state only: no table changes)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kyb", "0002_integrator_moved_to_tenancy"),
        ("merchants", "0009_merchants_lei_people_search_indexes"),
        ("tenancy", "0001_initial"),
        ("verifications", "0013_integrator_moved_to_tenancy"),
        ("webhooks", "0004_integrator_moved_to_tenancy"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="apikeyevent",
                    name="api_key",
                ),
                migrations.RemoveField(
                    model_name="apikeyevent",
                    name="integrator",
                ),
                migrations.AlterField(
                    model_name="merchanterasure",
                    name="integrator",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.integrator",
                    ),
                ),
                migrations.AlterField(
                    model_name="merchant",
                    name="integrator",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merchants",
                        to="tenancy.integrator",
                    ),
                ),
                migrations.DeleteModel(
                    name="ApiKey",
                ),
                migrations.DeleteModel(
                    name="ApiKeyEvent",
                ),
                migrations.DeleteModel(
                    name="Integrator",
                ),
            ],
            database_operations=[],
        ),
    ]
