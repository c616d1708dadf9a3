from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # The admin lists merchants newest first; without this index that is a sort of the whole
    # table. Built CONCURRENTLY (no write lock on a busy table), so outside a transaction.
    atomic = False

    dependencies = [
        ("merchants", "0003_plan_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="merchant",
            index=models.Index(fields=["created_at"], name="idx_merchants_created_at"),
        ),
    ]
