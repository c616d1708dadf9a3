"""Integrity rules of merchants live in PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from merchants.tests.factories import IntegratorFactory, MerchantFactory, api_key_with_secret

pytestmark = pytest.mark.django_db


def test_external_id_is_unique_per_integrator_only() -> None:
    first = MerchantFactory(external_id="m-1")
    MerchantFactory(external_id="m-1")  # another integrator: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        MerchantFactory(external_id="m-1", integrator=first.integrator)


def test_blank_external_ids_do_not_collide() -> None:
    integrator = IntegratorFactory()
    MerchantFactory(external_id="", integrator=integrator)
    MerchantFactory(external_id="", integrator=integrator)


@pytest.mark.parametrize(("field", "value"), [("country", "gb"), ("declared_mcc", "58")])
def test_database_rejects_malformed_codes(field: str, value: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        MerchantFactory(**{field: value})


def test_api_key_stores_only_a_hash_of_the_secret() -> None:
    key, plaintext = api_key_with_secret()
    assert plaintext.startswith("kyb_")
    assert plaintext not in key.key_hash
    assert len(key.key_hash) == 64
    assert plaintext.split("_")[1] == key.prefix
