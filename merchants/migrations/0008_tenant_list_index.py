from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # GET /api/v1/merchants orders one integrator's rows by (created_at, id); see
    # verifications 0009. Built CONCURRENTLY, so outside a transaction.
    atomic = False

    dependencies = [
        ("merchants", "0007_api_key_admin_scope_and_events"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="merchant",
            index=models.Index(
                fields=["integrator", "created_at", "id"], name="idx_merchants_tenant_created"
            ),
        ),
    ]
