"""Foreign keys follow Integrator to tenancy (state only: the table is the same)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0001_initial"),
        ("webhooks", "0003_webhook_delivery_plural_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="webhookendpoint",
                    name="integrator",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="webhook_endpoints",
                        to="tenancy.integrator",
                    ),
                ),
                migrations.AlterField(
                    model_name="webhookevent",
                    name="integrator",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.integrator",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
