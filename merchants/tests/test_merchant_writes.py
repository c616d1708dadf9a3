"""Every merchant write goes through the services: the API, the admin (validation, the
``merchant.updated`` event, the audit row with the operator) and a unique-constraint violation
recognised by its name, not by the message text."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from kyb.db import conflict_on, violated_constraint
from kyb.errors import Conflict, NotFound, ValidationFailed
from kyb.tests.api_client import ApiClient
from merchants.models import Merchant, MerchantChange
from merchants.selectors import merchant_get
from merchants.serializers import merchant_input_clean
from merchants.services import merchant_create
from merchants.tests.factories import IntegratorFactory, MerchantFactory
from verifications.tests.factories import BusinessVerificationFactory
from webhooks.models import WebhookEvent
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db


def _change_form(root: Client, merchant: Merchant) -> dict[str, Any]:
    page = root.get(f"/admin/merchants/merchant/{merchant.pk}/change/")
    form = page.context["adminform"].form
    return {name: form[name].value() or "" for name in form.fields}


def test_an_admin_edit_is_validated_audited_and_announced(root: Client) -> None:
    merchant = MerchantFactory.create()
    webhook_endpoint_create(
        integrator=merchant.integrator, url="https://receiver.example.com/h", event_types=[]
    )
    data = _change_form(root, merchant)
    data.update(lei="not-an-lei")
    refused = root.post(f"/admin/merchants/merchant/{merchant.pk}/change/", data)
    assert refused.status_code == 200
    assert "An LEI is 20 letters and digits." in str(refused.context["adminform"].form.errors)

    data.update(lei="5493001kjtiigc8y1r12", dba_name="Edited In The Console")
    response = root.post(f"/admin/merchants/merchant/{merchant.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    merchant.refresh_from_db()
    assert merchant.lei == "5493001KJTIIGC8Y1R12"  # the API's normalisation
    change = MerchantChange.objects.get(merchant=merchant)
    assert change.actor == "user:root" and change.fields == ["dba_name", "lei"]
    assert WebhookEvent.objects.filter(type="merchant.updated").count() == 1


def test_the_latest_verification_cannot_be_set_in_the_admin(root: Client) -> None:
    merchant = MerchantFactory.create()
    other = BusinessVerificationFactory.create()
    data = _change_form(root, merchant)
    assert "verification" not in data and "erased_at" not in data
    data.update(verification=str(other.pk), legal_name="Still Mine Ltd")
    response = root.post(f"/admin/merchants/merchant/{merchant.pk}/change/", data)
    assert response.status_code == 302
    merchant.refresh_from_db()
    assert merchant.legal_name == "Still Mine Ltd" and merchant.verification_id is None


def test_an_admin_add_creates_through_the_service_and_refuses_a_taken_external_id(
    root: Client,
) -> None:
    integrator = IntegratorFactory.create()
    MerchantFactory.create(integrator=integrator, external_id="taken")
    data = {
        "integrator": str(integrator.pk),
        "external_id": "taken",
        "legal_name": "Added Ltd",
        "country": "GB",
        "address": "{}",
        "people": "[]",
        "metadata": "{}",
    }
    refused = root.post("/admin/merchants/merchant/add/", data)
    assert refused.status_code == 200
    assert "already exists" in str(refused.context["adminform"].form.errors)
    data.update(external_id="fresh")
    response = root.post("/admin/merchants/merchant/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Merchant.objects.get(external_id="fresh").country == "GB"


def test_an_api_patch_records_the_key_as_actor(api: ApiClient) -> None:
    created = api.post_json("/api/v1/merchants", {"legal_name": "Api Ltd", "country": "GB"})
    merchant_id = created.json()["id"]
    api.patch_json(f"/api/v1/merchants/{merchant_id}", {"phone": "+44 20 7946 0000"})
    change = MerchantChange.objects.get(merchant_id=merchant_id)
    assert change.actor.startswith("api_key:") and change.fields == ["phone"]


def test_input_rules_raise_a_domain_error_with_the_fields() -> None:
    with pytest.raises(ValidationFailed) as refused:
        merchant_input_clean({"country": "GB", "declared_mcc": "12"})
    assert set(refused.value.fields) == {"legal_name", "declared_mcc"}


def test_a_duplicate_external_id_is_recognised_by_the_constraint_name() -> None:
    merchant = MerchantFactory.create(external_id="dup")
    with pytest.raises(Conflict) as conflict:
        merchant_create(
            integrator=merchant.integrator,
            fields={"external_id": "dup", "legal_name": "Again", "country": "GB"},
        )
    assert conflict.value.code == "merchant_exists"


def test_another_constraint_violation_is_not_mistaken_for_the_expected_one() -> None:
    merchant = MerchantFactory.create(external_id="dup2")
    with (
        pytest.raises(IntegrityError) as raised,
        transaction.atomic(),
        conflict_on("some_other_constraint", code="x", message="x"),
    ):
        Merchant.objects.create(
            integrator=merchant.integrator, external_id="dup2", legal_name="B", country="GB"
        )
    assert violated_constraint(raised.value) == "uniq_merchants_tenant_mode_external_id"


def test_merchant_get_is_scoped_to_tenant_and_mode_and_refuses_malformed_ids() -> None:
    merchant = MerchantFactory.create()
    assert merchant_get(integrator=merchant.integrator, merchant_id=str(merchant.pk)) == merchant
    for integrator, livemode, merchant_id in (
        (IntegratorFactory.create(), True, merchant.pk),  # another tenant's
        (merchant.integrator, False, merchant.pk),  # the other mode's
        (merchant.integrator, True, "not-a-uuid"),  # malformed: not found, never a 500
    ):
        with pytest.raises(NotFound):
            merchant_get(integrator=integrator, livemode=livemode, merchant_id=merchant_id)
