from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built CONCURRENTLY so a deploy never locks the verifications table for writes.
    atomic = False

    dependencies = [
        ("verifications", "0016_pipeline_jobs_unsent_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="businessverification",
            index=models.Index(fields=["risk_score"], name="idx_business_verifications_risk"),
        ),
    ]
