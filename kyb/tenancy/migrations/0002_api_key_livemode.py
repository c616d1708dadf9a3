from django.db import migrations, models


class Migration(migrations.Migration):
    # Sandbox keys (docs/sandbox.md). A constant default: no table rewrite.
    dependencies = [
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apikey",
            name="livemode",
            field=models.BooleanField(default=True),
        ),
    ]
