"""Every model is in the admin and its changelist opens with a bounded number of queries."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from classifications.tests.factories import ClassificationFactory
from merchants.tests.factories import ApiKeyFactory
from monitoring.tests.factories import MonitoringMetricFactory
from verifications.tests.factories import PipelineJobFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "tenancy/integrator",
    "tenancy/apikey",
    "merchants/merchant",
    "verifications/businessverification",
    "verifications/pipelinejob",
    "classifications/classification",
    "monitoring/monitoringmetric",
]


@pytest.fixture
def staff_client() -> Client:
    user = User.objects.create_superuser("root", "root@example.com", "pw-not-used-elsewhere")
    client = Client()
    client.force_login(user)
    return client


def test_plan_models_are_registered() -> None:
    names = {m._meta.db_table for m in admin.site._registry}
    assert {"merchants", "business_verifications", "classifications", "pipeline_jobs"} <= names
    assert "monitoring_metrics" in names


@pytest.mark.parametrize("path", CHANGELISTS)
def test_changelist_query_count_does_not_grow_with_rows(staff_client: Client, path: str) -> None:
    def make_rows(n: int) -> None:
        for _ in range(n):
            ApiKeyFactory()
            PipelineJobFactory()
            ClassificationFactory()
            MonitoringMetricFactory()

    make_rows(1)
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(f"/admin/{path}/").status_code == 200
    make_rows(5)
    with CaptureQueriesContext(connection) as many:
        assert staff_client.get(f"/admin/{path}/").status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_large_table_admins_skip_full_counts() -> None:
    big = {"merchants", "business_verifications", "classifications", "pipeline_jobs", "api_keys"}
    big |= {"monitoring_metrics", "verification_events"}
    for model, model_admin in admin.site._registry.items():
        if model._meta.db_table in big:
            assert model_admin.show_full_result_count is False, model


# What a superuser may add, change or delete in the admin; everything else is written by its
# service only (lists by loading a version, evidence by the pipeline, reference data by its
# loader). An operator could delete watch-list entries, and the entity stopped matching in every
# process that rebuilt its index (2026-12-03).
WRITABLE = {
    "auth.Group": "add change delete",
    "auth.User": "add change delete",
    "merchants.Merchant": "add change delete",
    "otp_totp.TOTPDevice": "add change delete",
    "tenancy.ApiKey": "add change",
    "tenancy.Integrator": "add change delete",
    "verifications.PipelineJob": "change",
    "webhooks.WebhookDelivery": "change",
    "webhooks.WebhookEndpoint": "change",
}


def test_only_the_listed_admins_write() -> None:
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = User(username="root", is_superuser=True, is_staff=True, is_active=True)
    found = {}
    for model, model_admin in admin.site._registry.items():
        allowed = [
            verb
            for verb, check in (
                ("add", model_admin.has_add_permission),
                ("change", model_admin.has_change_permission),
                ("delete", model_admin.has_delete_permission),
            )
            if check(request)
        ]
        if allowed:
            found[model._meta.label] = " ".join(allowed)
    assert found == WRITABLE


@pytest.mark.parametrize(
    "url",
    [
        "/admin/verifications/businessverification/?status__exact=%00",
        "/admin/merchants/merchant/?country=%00",
        "/admin/verifications/pipelinejob/?queue=%00",
        "/admin/verifications/businessverification/?q=a&q=%00",
        "/admin/tenancy/apikey/?_changelist_filters=country%3D%00",
    ],
)
def test_a_nul_character_in_a_console_query_is_a_400_page(staff_client: Client, url: str) -> None:
    """List filters passed it on to PostgreSQL, which refuses NUL in text: a 500."""
    response = staff_client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_console_errors_are_pages_and_api_errors_json(staff_client: Client) -> None:
    """An unknown case in the console showed the API's JSON envelope to the analyst."""
    missing = "/admin/verifications/businessverification/00000000-0000-0000-0000-000000000000"
    response = staff_client.get(f"{missing}/next/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    api = staff_client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"


def test_audit_log_and_classification_searches_use_indexes(staff_client: Client) -> None:
    """ "=actor" and "=business__id" compared the columns as upper-case text: each search read
    the whole table."""
    from kyb.tests.test_admin_tools import _plan
    from verifications.models import AnalystAction

    classification = ClassificationFactory.create()
    merchant_id = classification.business_id
    body = staff_client.get(
        "/admin/classifications/classification/", {"q": str(merchant_id)}
    ).content.decode()
    assert f"/admin/classifications/classification/{classification.pk}/change/" in body
    body = staff_client.get(
        "/admin/classifications/classification/", {"q": classification.code}
    ).content.decode()
    assert f"/admin/classifications/classification/{classification.pk}/change/" not in body
    assert staff_client.get("/admin/verifications/analystaction/", {"q": "ana"}).status_code == 200
    plan = _plan(AnalystAction.objects.filter(actor="ana").order_by("-created_at")[:100])
    assert "idx_analyst_actions_actor" in plan, plan
