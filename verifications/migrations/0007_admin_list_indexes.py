from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # The console audit log newest first, and the register's name-prefix search
    # (varchar_pattern_ops: LIKE 'key%' uses it under any collation). Built CONCURRENTLY, so
    # outside a transaction.
    atomic = False

    dependencies = [
        ("verifications", "0006_analyst_groups"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="analystaction",
            index=models.Index(fields=["created_at"], name="idx_analyst_actions_created_at"),
        ),
        AddIndexConcurrently(
            model_name="registryentity",
            index=models.Index(
                fields=["name_key"],
                name="idx_registry_entities_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
    ]
