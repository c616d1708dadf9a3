import django.contrib.postgres.indexes
import django.db.models.functions.comparison
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

PEOPLE_INDEX_SQL = (
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS "idx_merchants_people_trgm" '
    'ON "merchants" USING gin ((UPPER(("people")::text)) gin_trgm_ops)'
)


def create_people_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    """The trigram index behind the person-name search, where the server has pg_trgm (see
    0005: without it the search still works, as a scan)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(PEOPLE_INDEX_SQL)


def drop_people_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute('DROP INDEX CONCURRENTLY IF EXISTS "idx_merchants_people_trgm"')


class Migration(migrations.Migration):
    # The review queue's and the merchant list's search by LEI (exact, btree) and by a person's
    # name (people JSON as text, UPPER, trigram GIN: the expression Django's icontains on a
    # JSONField compares). Built CONCURRENTLY, so outside a transaction.
    atomic = False

    dependencies = [
        ("merchants", "0008_tenant_list_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="merchant",
            index=models.Index(fields=["lei"], name="idx_merchants_lei"),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(create_people_index, drop_people_index)],
            state_operations=[
                migrations.AddIndex(
                    model_name="merchant",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            django.db.models.functions.text.Upper(
                                django.db.models.functions.comparison.Cast(
                                    "people", models.TextField()
                                )
                            ),
                            name="gin_trgm_ops",
                        ),
                        name="idx_merchants_people_trgm",
                    ),
                ),
            ],
        ),
    ]
