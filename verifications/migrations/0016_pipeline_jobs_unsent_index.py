from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built CONCURRENTLY so a deploy never locks the job table for writes (PostgreSQL forbids
    # that inside a transaction).
    atomic = False

    dependencies = [
        ("verifications", "0015_registry_name_keys_screening_vocabulary"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="pipelinejob",
            index=models.Index(
                condition=models.Q(("enqueued_at__isnull", True), ("status", "queued")),
                fields=["created_at"],
                name="idx_pipeline_jobs_unsent",
            ),
        ),
    ]
