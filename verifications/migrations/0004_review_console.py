"""Review console: case assignment, custom permissions, the analyst action audit table.

New nullable columns only (no table rewrite); the queue's indexes follow in 0005, concurrently.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("merchants", "0003_plan_indexes"),
        ("verifications", "0003_registry_entities_internal_submissions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AnalystAction",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("assign", "assigned"),
                            ("unassign", "unassigned"),
                            ("reveal_tax_id", "revealed the tax id"),
                            ("clear_hit", "cleared a sanctions hit as a false positive"),
                        ],
                        max_length=32,
                    ),
                ),
                ("actor", models.CharField(help_text="username at the time", max_length=150)),
                ("reason", models.TextField(blank=True)),
                ("detail", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "db_table": "analyst_actions",
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.AlterModelOptions(
            name="businessverification",
            options={
                "permissions": [
                    ("decide_verification", "Can approve, reject or ask for more information"),
                    ("assign_verification", "Can assign a verification to themselves"),
                    ("reassign_verification", "Can take over or release another analyst's case"),
                    ("rerun_verification", "Can re-run the checks of a verification in error"),
                    ("reveal_pii", "Can reveal a merchant's tax id (audited)"),
                    ("override_sanctions_match", "Can approve despite a sanctions match"),
                ]
            },
        ),
        migrations.AddField(
            model_name="businessverification",
            name="assigned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="businessverification",
            name="assigned_to",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="analystaction",
            name="actor_user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="analystaction",
            name="merchant",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="analyst_actions",
                to="merchants.merchant",
            ),
        ),
        migrations.AddField(
            model_name="analystaction",
            name="verification",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="analyst_actions",
                to="verifications.businessverification",
            ),
        ),
        migrations.AddConstraint(
            model_name="analystaction",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("action__in", ["assign", "unassign", "reveal_tax_id", "clear_hit"])
                ),
                name="analyst_actions_action_valid",
            ),
        ),
    ]
