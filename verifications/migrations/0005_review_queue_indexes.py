"""The review queue's indexes on the big table, built without locking writes.

``idx_business_verifications_queue`` serves the queue's order (in_review first, then oldest);
``idx_business_verifications_reasons`` (GIN, jsonb_path_ops) serves the reason-code filter.
"""

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("verifications", "0004_review_console"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="businessverification",
            index=models.Index(
                models.Case(
                    models.When(status="in_review", then=models.Value(0)),
                    default=models.Value(1),
                    output_field=models.IntegerField(),
                ),
                models.F("created_at"),
                name="idx_business_verifications_queue",
            ),
        ),
        AddIndexConcurrently(
            model_name="businessverification",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["risk_reasons"],
                name="idx_business_verifications_reasons",
                opclasses=["jsonb_path_ops"],
            ),
        ),
    ]
