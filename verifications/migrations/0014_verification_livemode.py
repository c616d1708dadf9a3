from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Sandbox (docs/sandbox.md): a verification carries its merchant's mode; the tenant's list
    # index is per (integrator, mode). Built CONCURRENTLY, so outside a transaction.
    atomic = False

    dependencies = [
        ("verifications", "0013_integrator_moved_to_tenancy"),
    ]

    operations = [
        migrations.AddField(
            model_name="businessverification",
            name="livemode",
            field=models.BooleanField(default=True),
        ),
        AddIndexConcurrently(
            model_name="businessverification",
            index=models.Index(
                fields=["integrator", "livemode", "created_at", "id"],
                name="idx_verifications_tenant_mode",
            ),
        ),
        RemoveIndexConcurrently(
            model_name="businessverification", name="idx_verifications_tenant_created"
        ),
    ]
