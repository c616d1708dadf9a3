"""The plan's tables and nine named indexes exist after migrate, and are valid."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

PLAN_INDEXES = {
    "idx_business_verifications_status": "business_verifications",
    "idx_business_verifications_created_at": "business_verifications",
    "idx_business_verifications_status_created": "business_verifications",
    "idx_classifications_business_id": "classifications",
    "idx_classifications_business_confidence": "classifications",
    "idx_merchants_verification_id": "merchants",
    "idx_monitoring_metrics_timestamp": "monitoring_metrics",
    "idx_pipeline_jobs_status": "pipeline_jobs",
    "idx_pipeline_jobs_created_at": "pipeline_jobs",
}


def test_all_nine_plan_indexes_exist_on_their_tables_and_are_valid() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.tablename, x.indisvalid
            FROM pg_indexes i
            JOIN pg_class c ON c.relname = i.indexname
            JOIN pg_index x ON x.indexrelid = c.oid
            WHERE i.indexname = ANY(%s)
            """,
            [list(PLAN_INDEXES)],
        )
        found = {name: (table, valid) for name, table, valid in cursor.fetchall()}
    assert found == {name: (table, True) for name, table in PLAN_INDEXES.items()}


def test_plan_tables_exist_under_their_names() -> None:
    tables = set(connection.introspection.table_names())
    assert {
        "merchants",
        "business_verifications",
        "classifications",
        "pipeline_jobs",
        "monitoring_metrics",
    } <= tables


def test_plan_index_migrations_are_concurrent_and_non_atomic() -> None:
    from django.contrib.postgres.operations import AddIndexConcurrently
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    seen: set[str] = set()
    for migration in loader.disk_migrations.values():
        for op in migration.operations:
            name = getattr(getattr(op, "index", None), "name", None)
            if name in PLAN_INDEXES:
                assert isinstance(op, AddIndexConcurrently), name
                assert migration.atomic is False, migration.name
                seen.add(name)
    assert seen == set(PLAN_INDEXES)


def test_migrations_are_named_not_auto_named() -> None:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    ours = {"merchants", "verifications", "classifications", "monitoring", "screening"}
    auto = [
        f"{app}.{name}"
        for app, name in loader.disk_migrations
        if app in ours and ("_initial" in name or "_auto_" in name)
    ]
    assert auto == []
