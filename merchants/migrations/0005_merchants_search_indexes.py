import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

TRGM_INDEX_SQL = (
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS "idx_merchants_legal_name_trgm" '
    'ON "merchants" USING gin ((UPPER("legal_name")) gin_trgm_ops)'
)


def create_trigram_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    """pg_trgm and the name index, where the server ships the extension.

    Every packaged PostgreSQL (Debian, the official image, RDS, Cloud SQL) has pg_trgm; the
    embedded server `make run` falls back to on a bare machine does not. There the name search
    still works, as a sequential scan: a slower admin search is better than a failed migrate.
    """
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(TRGM_INDEX_SQL)


def drop_trigram_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute('DROP INDEX CONCURRENTLY IF EXISTS "idx_merchants_legal_name_trgm"')


class Migration(migrations.Migration):
    # The admin's merchant search on a million rows: exact external id / registration number
    # (btree) and part of the name (trigram GIN on UPPER(legal_name), the expression Django's
    # icontains compares). pg_trgm is a trusted extension (PostgreSQL 13+): the database owner
    # may create it; where the server lacks it the trigram index is skipped (see below).
    # Indexes built CONCURRENTLY, so outside a transaction.
    atomic = False

    dependencies = [
        ("merchants", "0004_merchants_created_at_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="merchant",
            index=models.Index(fields=["external_id"], name="idx_merchants_external_id"),
        ),
        AddIndexConcurrently(
            model_name="merchant",
            index=models.Index(
                fields=["registration_number"], name="idx_merchants_registration_no"
            ),
        ),
        # Django renders OpClass over an expression without the extra parentheses PostgreSQL
        # needs ("(UPPER(x) gin_trgm_ops)"), so the database side is written out by hand.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(create_trigram_index, drop_trigram_index),
            ],
            state_operations=[
                migrations.AddIndex(
                    model_name="merchant",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            django.db.models.functions.text.Upper("legal_name"),
                            name="gin_trgm_ops",
                        ),
                        name="idx_merchants_legal_name_trgm",
                    ),
                ),
            ],
        ),
    ]
