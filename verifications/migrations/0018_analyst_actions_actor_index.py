from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built CONCURRENTLY so a deploy never locks the audit log for writes.
    atomic = False

    dependencies = [
        ("verifications", "0017_business_verifications_risk_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="analystaction",
            index=models.Index(fields=["actor", "created_at"], name="idx_analyst_actions_actor"),
        ),
    ]
