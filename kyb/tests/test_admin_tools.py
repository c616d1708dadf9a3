"""Admin helpers for big tables: estimated counts, indexed id search, index-backed plans."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.utils import timezone

from kyb import admin_tools
from merchants.models import Merchant
from merchants.tests.factories import MerchantFactory
from verifications.models import BusinessVerification, PipelineJob
from verifications.tests.factories import PipelineJobFactory

pytestmark = pytest.mark.django_db


def _listed(client: Client, url: str) -> list[Any]:
    response = client.get(url)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_small_results_are_counted_exactly_large_ones_estimated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    MerchantFactory.create_batch(3)
    paginator = admin_tools.EstimatedCountPaginator(Merchant.objects.order_by("pk"), 100)
    assert paginator.count == 3
    monkeypatch.setattr(admin_tools, "EXACT_COUNT_BELOW", 0)
    estimated = admin_tools.EstimatedCountPaginator(Merchant.objects.order_by("pk"), 100)
    assert estimated.count == admin_tools.planner_row_estimate(Merchant.objects.all())
    assert isinstance(estimated.count, int)


def test_merchant_search_by_uuid_external_id_and_name(root: Client) -> None:
    merchant, other = MerchantFactory.create_batch(2)
    url = "/admin/merchants/merchant/?q="
    assert _listed(root, f"{url}{merchant.pk}") == [merchant]
    assert _listed(root, f"{url}{merchant.external_id}") == [merchant]
    assert _listed(root, f"{url}{other.legal_name.split()[2]}") == [other]


def test_uuid_shaped_external_ids_are_found_too(root: Client) -> None:
    """Integrators often use UUIDs as external ids: a UUID term is also an exact external id
    (and registration number), not only a row id."""
    import uuid

    from verifications.tests.factories import BusinessVerificationFactory

    external = str(uuid.uuid4())
    merchant = MerchantFactory.create(external_id=external)
    verification = BusinessVerificationFactory.create(merchant=merchant)
    assert _listed(root, f"/admin/merchants/merchant/?q={external}") == [merchant]
    queue = "/admin/verifications/businessverification/?q="
    assert _listed(root, f"{queue}{external}") == [verification]
    assert _listed(root, f"{queue}{verification.pk}") == [verification]


def test_id_only_searches_find_nothing_for_other_terms(root: Client) -> None:
    from webhooks.models import WebhookEvent

    event = WebhookEvent.objects.create(
        integrator=MerchantFactory.create().integrator, type="merchant.updated", body="{}"
    )
    assert _listed(root, f"/admin/webhooks/webhookevent/?q={event.pk}") == [event]
    assert _listed(root, "/admin/webhooks/webhookevent/?q=merchant") == []
    assert _listed(root, "/admin/webhooks/webhookevent/?type=merchant.updated") == [event]


def test_register_admin_filters_without_distinct_and_searches_by_index(root: Client) -> None:
    from django.contrib import admin
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from verifications.models import RegistryEntity

    entity = RegistryEntity.objects.create(
        lei="5493001KJTIIGC8Y1R12",
        legal_name="Acme Trading Ltd",
        name_key="acme trading",
        country="GB",
        entity_status="ACTIVE",
        registration_status="ISSUED",
        source="test",
        loaded_at=timezone.now(),
    )
    url = "/admin/verifications/registryentity/"
    with CaptureQueriesContext(connection) as queries:
        assert _listed(root, f"{url}?country=GB&entity_status=ACTIVE") == [entity]
    assert not [q for q in queries.captured_queries if "DISTINCT" in q["sql"].upper()]
    assert _listed(root, f"{url}?q=ACME Trading") == [entity]
    assert _listed(root, f"{url}?q={entity.lei.lower()}") == [entity]
    assert _listed(root, f"{url}?q=trading") == []  # a prefix, not anywhere in the name
    registry_admin = admin.site._registry[RegistryEntity]
    found, _ = registry_admin.get_search_results(
        RequestFactory().get(url), RegistryEntity.objects.all(), "Acme"
    )
    assert "idx_registry_entities_prefix" in _plan(found)


def test_job_search_by_subject_or_task_id(root: Client) -> None:
    job, _other = PipelineJobFactory.create(task_id="celery-1"), PipelineJobFactory.create()
    url = "/admin/verifications/pipelinejob/?q="
    assert _listed(root, f"{url}{job.subject_id}") == [job]
    assert _listed(root, f"{url}{str(job.subject_id).upper().replace('-', '')}") == [job]
    assert _listed(root, f"{url}task:celery-1") == [job]
    assert _listed(root, f"{url}celery-1") == []


def _plan(queryset: QuerySet[Any]) -> str:
    """The plan PostgreSQL picks when it may not scan the whole table."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


def _has_extension(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = %s", [name])
        return cursor.fetchone() is not None


def test_searches_and_default_orders_are_served_by_indexes() -> None:
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    job = PipelineJobFactory.create()
    merchant = MerchantFactory.create()
    job_admin = admin.site._registry[PipelineJob]
    merchant_admin = admin.site._registry[Merchant]
    jobs, _ = job_admin.get_search_results(request, PipelineJob.objects.all(), job.subject_id)
    merchants, _ = merchant_admin.get_search_results(
        request, Merchant.objects.all(), str(merchant.pk)
    )
    assert "uniq_pipeline_jobs_subject" in _plan(jobs)
    assert "merchants_pkey" in _plan(merchants)
    by_name, _ = merchant_admin.get_search_results(request, Merchant.objects.all(), "Trading 7")
    by_number, _ = merchant_admin.get_search_results(request, Merchant.objects.all(), "09446231")
    # The merchant search ORs the name (trigram) with the exact ids; without pg_trgm (the
    # embedded dev server ships without it) the name part needs a scan, and so does the OR.
    if _has_extension("pg_trgm"):
        assert "idx_merchants_legal_name_trgm" in _plan(by_name)
        assert "idx_merchants_registration_no" in _plan(by_number)
    verification_admin = admin.site._registry[BusinessVerification]
    by_external_id, _ = verification_admin.get_search_results(
        request, BusinessVerification.objects.all(), merchant.external_id
    )
    # The queue finds the merchants first (review_selectors.merchant_search_conditions: each
    # lookup indexed), then their cases through the merchant_id index.
    assert "merchant_id" in _plan(by_external_id)
    from verifications.review_selectors import merchant_search_conditions

    exact, by_legal_name, by_person = merchant_search_conditions(merchant.external_id)
    exact_plan = _plan(Merchant.objects.filter(exact))
    for index in (
        "idx_merchants_external_id",
        "idx_merchants_registration_no",
        "idx_merchants_lei",
    ):
        assert index in exact_plan, exact_plan
    if _has_extension("pg_trgm"):
        assert "idx_merchants_legal_name_trgm" in _plan(Merchant.objects.filter(by_legal_name))
        assert "idx_merchants_people_trgm" in _plan(Merchant.objects.filter(by_person))
    # A UUID term: the row ids and the external id (a UUID-shaped one), every branch indexed.
    by_id, _ = verification_admin.get_search_results(
        request, BusinessVerification.objects.all(), str(merchant.pk)
    )
    plan = _plan(by_id)
    assert "business_verifications_pkey" in plan and "Seq Scan" not in plan, plan
    assert "idx_merchants_created_at" in _plan(Merchant.objects.order_by("-created_at")[:100])
    assert "idx_pipeline_jobs_created_at" in _plan(
        PipelineJob.objects.order_by("-created_at")[:100]
    )
    from verifications.models import AnalystAction
    from webhooks.models import WebhookDelivery, WebhookEvent

    for model, index in (
        (WebhookDelivery, "idx_webhook_deliveries_created"),
        (WebhookEvent, "idx_webhook_events_created_at"),
        (AnalystAction, "idx_analyst_actions_created_at"),
    ):
        assert index in _plan(model.objects.order_by("-created_at")[:100])


def test_big_table_admins_never_offer_facet_counts() -> None:
    from django.contrib import admin

    from verifications.models import AnalystAction, RegistryEntity
    from webhooks.models import WebhookDelivery, WebhookEvent

    for model in (
        PipelineJob,
        Merchant,
        WebhookDelivery,
        WebhookEvent,
        BusinessVerification,
        AnalystAction,
        RegistryEntity,
    ):
        assert admin.site._registry[model].show_facets is admin.ShowFacets.NEVER, model
