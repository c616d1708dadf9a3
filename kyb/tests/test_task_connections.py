"""A task that leaves its database connection mid-query does not break the next task."""

from __future__ import annotations

import pytest
from celery.signals import task_postrun
from django.db import connection, transaction
from psycopg.pq import TransactionStatus

from kyb.tenancy.models import Integrator


@pytest.mark.django_db(transaction=True)
def test_a_connection_left_mid_query_is_closed_when_the_task_ends() -> None:
    """Found by a QA pass: after a soft time limit fired while a query ran, the process's next
    task failed with "can't change 'autocommit' now: connection ... ACTIVE"."""
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    # As if the task had been interrupted while psycopg waited for this query's answer.
    raw.pgconn.send_query(b"SELECT pg_sleep(0.05)")
    assert raw.info.transaction_status == TransactionStatus.ACTIVE
    task_postrun.send(sender=None, task_id="t", task=None, args=(), kwargs={}, retval=None)
    # The next task's first transaction works on a fresh connection.
    with transaction.atomic():
        assert Integrator.objects.count() >= 0
    assert connection.connection is not raw
