"""Foreign keys follow Integrator to tenancy (state only: the table is the same)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0001_initial"),
        ("verifications", "0012_verification_source_monitoring"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="businessverification",
                    name="integrator",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="verifications",
                        to="tenancy.integrator",
                    ),
                ),
                migrations.AlterField(
                    model_name="internalsubmission",
                    name="integrator",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="internal_submissions",
                        to="tenancy.integrator",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
