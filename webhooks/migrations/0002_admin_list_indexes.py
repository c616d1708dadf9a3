from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # The admin's delivery and event logs, newest first, without sorting the whole table.
    # Built CONCURRENTLY (no write lock on a live table), so outside a transaction.
    atomic = False

    dependencies = [
        ("webhooks", "0001_webhooks"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="webhookdelivery",
            index=models.Index(fields=["created_at"], name="idx_webhook_deliveries_created"),
        ),
        AddIndexConcurrently(
            model_name="webhookevent",
            index=models.Index(fields=["created_at"], name="idx_webhook_events_created_at"),
        ),
    ]
