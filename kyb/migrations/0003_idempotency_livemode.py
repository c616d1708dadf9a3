from django.db import migrations, models


class Migration(migrations.Migration):
    # Sandbox (docs/sandbox.md): an Idempotency-Key is scoped by (integrator, mode). The new
    # unique index is built CONCURRENTLY and then attached as the constraint, so writes are not
    # blocked while it builds.
    atomic = False

    dependencies = [
        ("kyb", "0002_integrator_moved_to_tenancy"),
    ]

    operations = [
        migrations.AddField(
            model_name="idempotencyrecord",
            name="livemode",
            field=models.BooleanField(default=True),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "uniq_idempotency_mode_key" '
                    'ON "idempotency_records" ("integrator_id", "livemode", "key")',
                    'DROP INDEX CONCURRENTLY IF EXISTS "uniq_idempotency_mode_key"',
                ),
                migrations.RunSQL(
                    'ALTER TABLE "idempotency_records" ADD CONSTRAINT "uniq_idempotency_mode_key" '
                    'UNIQUE USING INDEX "uniq_idempotency_mode_key"',
                    'ALTER TABLE "idempotency_records" DROP CONSTRAINT "uniq_idempotency_mode_key"',
                ),
                migrations.RunSQL(
                    'ALTER TABLE "idempotency_records" DROP CONSTRAINT "uniq_idempotency_key"',
                    'ALTER TABLE "idempotency_records" ADD CONSTRAINT "uniq_idempotency_key" '
                    'UNIQUE ("integrator_id", "key")',
                ),
            ],
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="idempotencyrecord", name="uniq_idempotency_key"
                ),
                migrations.AddConstraint(
                    model_name="idempotencyrecord",
                    constraint=models.UniqueConstraint(
                        fields=("integrator", "livemode", "key"), name="uniq_idempotency_mode_key"
                    ),
                ),
            ],
        ),
    ]
