# Verification batches and their items (docs/batches.md).

import uuid

import django.db.models.deletion
import django.db.models.expressions
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("merchants", "0010_tenancy_moved_out"),
        ("tenancy", "0001_initial"),
        ("verifications", "0013_integrator_moved_to_tenancy"),
    ]

    operations = [
        migrations.CreateModel(
            name="VerificationBatch",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[("api", "API"), ("internal", "internal task")],
                        default="api",
                        max_length=16,
                    ),
                ),
                ("total", models.PositiveIntegerField()),
                ("invalid_count", models.PositiveIntegerField(default=0)),
                ("decided_count", models.PositiveIntegerField(default=0)),
                ("idempotency_key", models.CharField(blank=True, max_length=255)),
                ("request_hash", models.CharField(blank=True, max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("completed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "integrator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="verification_batches",
                        to="tenancy.integrator",
                    ),
                ),
            ],
            options={
                "verbose_name": "verification batch",
                "verbose_name_plural": "verification batches",
                "db_table": "verification_batches",
            },
        ),
        migrations.CreateModel(
            name="BatchItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("index", models.PositiveIntegerField()),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("accepted", "accepted"),
                            ("submitted", "submitted"),
                            ("invalid", "invalid"),
                        ],
                        max_length=16,
                    ),
                ),
                ("external_id", models.CharField(blank=True, max_length=128)),
                ("payload", models.JSONField(blank=True, default=dict)),
                (
                    "error",
                    models.JSONField(blank=True, help_text="{code, message, fields?}", null=True),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "merchant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="merchants.merchant",
                    ),
                ),
                (
                    "verification",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="batch_item",
                        to="verifications.businessverification",
                    ),
                ),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="items",
                        to="batches.verificationbatch",
                    ),
                ),
            ],
            options={
                "db_table": "verification_batch_items",
            },
        ),
        migrations.AddIndex(
            model_name="verificationbatch",
            index=models.Index(
                fields=["integrator", "created_at"], name="idx_batches_tenant_created"
            ),
        ),
        migrations.AddIndex(
            model_name="verificationbatch",
            index=models.Index(
                condition=models.Q(("completed_at__isnull", True)),
                fields=["updated_at"],
                name="idx_batches_open",
            ),
        ),
        migrations.AddConstraint(
            model_name="verificationbatch",
            constraint=models.UniqueConstraint(
                condition=models.Q(("idempotency_key", ""), _negated=True),
                fields=("integrator", "idempotency_key"),
                name="uniq_verification_batches_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="verificationbatch",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "decided_count__lte",
                        django.db.models.expressions.CombinedExpression(
                            models.F("total"), "-", models.F("invalid_count")
                        ),
                    )
                ),
                name="verification_batches_counts_fit",
            ),
        ),
        migrations.AddConstraint(
            model_name="batchitem",
            constraint=models.UniqueConstraint(
                fields=("batch", "index"), name="uniq_batch_items_index"
            ),
        ),
        migrations.AddConstraint(
            model_name="batchitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["accepted", "submitted", "invalid"])),
                name="batch_items_state_valid",
            ),
        ),
    ]
