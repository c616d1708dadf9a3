from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    # Sandbox (docs/sandbox.md): merchants carry their mode; the tenant's list index and the
    # external_id uniqueness are per (integrator, mode). The column is added with a constant
    # default (no table rewrite on PostgreSQL 11+); indexes are built CONCURRENTLY, so outside a
    # transaction.
    atomic = False

    dependencies = [
        ("merchants", "0010_tenancy_moved_out"),
    ]

    operations = [
        migrations.AddField(
            model_name="merchant",
            name="livemode",
            field=models.BooleanField(default=True),
        ),
        AddIndexConcurrently(
            model_name="merchant",
            index=models.Index(
                fields=["integrator", "livemode", "created_at", "id"],
                name="idx_merchants_tenant_mode",
            ),
        ),
        RemoveIndexConcurrently(model_name="merchant", name="idx_merchants_tenant_created"),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "
                    '"uniq_merchants_tenant_mode_external_id" ON "merchants" '
                    '("integrator_id", "livemode", "external_id") WHERE NOT ("external_id" = \'\')',
                    'DROP INDEX CONCURRENTLY IF EXISTS "uniq_merchants_tenant_mode_external_id"',
                ),
                migrations.RunSQL(
                    'DROP INDEX CONCURRENTLY IF EXISTS "uniq_merchants_integrator_external_id"',
                    "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "
                    '"uniq_merchants_integrator_external_id" ON "merchants" '
                    '("integrator_id", "external_id") WHERE NOT ("external_id" = \'\')',
                ),
            ],
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="merchant", name="uniq_merchants_integrator_external_id"
                ),
                migrations.AddConstraint(
                    model_name="merchant",
                    constraint=models.UniqueConstraint(
                        condition=~Q(external_id=""),
                        fields=("integrator", "livemode", "external_id"),
                        name="uniq_merchants_tenant_mode_external_id",
                    ),
                ),
            ],
        ),
    ]
