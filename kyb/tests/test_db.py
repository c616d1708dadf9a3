"""kyb/db.py: the fixed-SQL insert and read write and read exactly the rows the ORM would."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from kyb.db import fetch_one, insert_statement, run_together
from kyb.models import IdempotencyRecord
from merchants.models import Merchant
from merchants.tests.factories import IntegratorFactory, MerchantFactory
from verifications.models import BusinessVerification, VerificationEvent

pytestmark = pytest.mark.django_db

STAMPS = {"id", "created_at", "updated_at", "verification", "merchant"}


def _values(obj: Model) -> dict[str, Any]:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.name not in STAMPS and f.attname not in {"verification_id", "merchant_id"}
    }


def test_rows_inserted_together_equal_what_create_writes() -> None:
    merchant = MerchantFactory.create(people=[{"name": "Ana Díaz", "role": "director"}])
    snapshot = {"legal_name": merchant.legal_name, "nested": {"n": [1, 2.5, None]}}
    by_orm = BusinessVerification.objects.create(
        merchant=merchant, integrator_id=merchant.integrator_id, input_snapshot=snapshot
    )
    ours = BusinessVerification(
        merchant=merchant, integrator_id=merchant.integrator_id, input_snapshot=snapshot
    )
    event = VerificationEvent(verification=ours, to_status="pending", actor="system")
    with CaptureQueriesContext(connection) as queries:
        values = run_together([insert_statement(ours), insert_statement(event)], new=[ours, event])
    assert len(queries) == 1  # one statement for both rows
    assert values == [ours.pk, event.pk] and isinstance(event.pk, int)
    assert not ours._state.adding and ours.created_at is not None  # auto_now_add stamped
    stored = BusinessVerification.objects.get(pk=ours.pk)
    assert _values(stored) == _values(BusinessVerification.objects.get(pk=by_orm.pk))
    assert stored.created_at == ours.created_at and stored.updated_at == ours.updated_at
    assert VerificationEvent.objects.get(pk=event.pk).verification_id == ours.pk


def test_a_statement_that_touches_no_row_returns_none() -> None:
    merchant = MerchantFactory.create()
    update = 'UPDATE "merchants" SET "dba_name" = %s WHERE "id" = %s RETURNING "id"'
    assert run_together([(update, ["x", uuid.uuid4()])]) == [None]
    assert run_together([(update, ["x", merchant.pk])]) == [merchant.pk]


def test_a_unique_violation_is_an_integrity_error() -> None:
    integrator = IntegratorFactory.create()

    def record() -> IdempotencyRecord:
        return IdempotencyRecord(
            integrator=integrator, key="k", fingerprint="f", status_code=202, response_body={}
        )

    first = record()
    run_together([insert_statement(first)], new=[first])
    with pytest.raises(IntegrityError):
        second = record()
        run_together([insert_statement(second)], new=[second])


def test_fetch_one_reads_what_get_reads_and_none_when_absent() -> None:
    merchant = MerchantFactory.create(
        tax_id_encrypted="gAAAA-token", tax_id_last4="7890", people=[{"name": "Ana"}]
    )
    where = '"integrator_id" = %s AND "id" = %s'
    found = fetch_one(Merchant, where, [merchant.integrator_id, merchant.pk])
    assert found is not None and not found._state.adding
    orm = Merchant.objects.get(pk=merchant.pk)
    assert {f.attname: getattr(found, f.attname) for f in Merchant._meta.concrete_fields} == {
        f.attname: getattr(orm, f.attname) for f in Merchant._meta.concrete_fields
    }
    assert fetch_one(Merchant, where, [uuid.uuid4(), merchant.pk]) is None


def test_values_are_bound_by_postgresql_quotes_and_percent_signs_included() -> None:
    merchant = MerchantFactory.create()
    update = 'UPDATE "merchants" SET "dba_name" = %s WHERE "id" = %s RETURNING "id"'
    tricky = "O'Brien 100% \\ '); DROP TABLE merchants; --"
    with CaptureQueriesContext(connection) as queries:
        assert run_together([(update, [tricky, str(merchant.pk)])]) == [merchant.pk]
    assert len(queries) == 1  # still through Django's cursor wrapper: logged and measured
    merchant.refresh_from_db()
    assert merchant.dba_name == tricky
