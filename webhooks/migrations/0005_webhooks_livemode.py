from django.db import migrations, models


class Migration(migrations.Migration):
    # Sandbox (docs/sandbox.md): endpoints and events carry their mode; sandbox events may
    # script failed first attempts. Constant defaults: no table rewrite.
    dependencies = [
        ("webhooks", "0004_integrator_moved_to_tenancy"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="livemode",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="webhookevent",
            name="livemode",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="webhookevent",
            name="simulated_failures",
            field=models.PositiveSmallIntegerField(default=0),
        ),
    ]
