"""The engine's tables in the admin: changelists open with a bounded number of queries."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from merchants.tests.factories import IntegratorFactory
from verifications.models import InternalSubmission, RegistryEntity
from verifications.tests.factories import BusinessVerificationFactory

pytestmark = pytest.mark.django_db


def _rows(n: int) -> None:
    for _ in range(n):
        verification = BusinessVerificationFactory.create()
        key = str(verification.id)
        RegistryEntity.objects.create(
            lei=key[:20].upper(), legal_name=key, name_key=key, source="t", loaded_at=timezone.now()
        )
        InternalSubmission.objects.create(
            integrator=IntegratorFactory.create(),
            idempotency_key=key,
            request_hash="0" * 64,
            verification=verification,
        )


@pytest.mark.parametrize(
    "path", ["verifications/registryentity", "verifications/internalsubmission"]
)
def test_changelist_query_count_does_not_grow_with_rows(path: str) -> None:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    _rows(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/admin/{path}/").status_code == 200
    _rows(5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/admin/{path}/").status_code == 200
    assert len(many) == len(few)
