"""The review console, driven through the admin with Django's test client: as an analyst, a
senior analyst, and a staff user in no group (who is refused and changes nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from classifications.tests.factories import ClassificationFactory
from kyb.crypto import encrypt
from merchants.models import Merchant
from merchants.tests.factories import IntegratorFactory, MerchantFactory
from screening import engine
from screening.models import ClearedHit
from verifications.checks.sanctions import check_sanctions
from verifications.models import (
    AnalystAction,
    BusinessVerification,
    JobStatus,
    PipelineJob,
    VerificationEvent,
    VerificationStatus,
)
from verifications.review_selectors import risk_band
from verifications.tests.factories import BusinessVerificationFactory, PipelineJobFactory
from webhooks.models import WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db

QUEUE = "/admin/verifications/businessverification/"
LIST_FILES = sorted(
    (Path(__file__).resolve().parents[2] / "screening/data/ofac_small_fixture").glob("*.csv")
)
SANCTIONED = "BEL-KAP-STEEL LLC"  # entity 44525 of the shipped OFAC fixture
REGISTRY_NOT_FOUND = {"code": "registry_not_found", "check": "registry", "weight": 30}
SANCTIONS_MATCH = {"code": "sanctions_match", "check": "sanctions", "weight": 60}


def page(v: BusinessVerification, action: str = "change") -> str:
    return f"{QUEUE}{v.pk}/{action}/"


def _staff(username: str, *groups: str) -> User:
    user = User.objects.create_user(username, password="unused-pw-1234", is_staff=True)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def analyst() -> User:
    return _staff("ana", "analyst")


@pytest.fixture
def analyst2() -> User:
    return _staff("bob", "analyst")


@pytest.fixture
def senior() -> User:
    return _staff("sam", "senior analyst")


@pytest.fixture
def nobody() -> User:
    return _staff("nobody")


def in_review(**kwargs: Any) -> BusinessVerification:
    defaults: dict[str, Any] = {
        "status": VerificationStatus.IN_REVIEW,
        "risk_score": 45,
        "risk_reasons": [REGISTRY_NOT_FOUND],
        "checks": {
            "registry": {
                "status": "warning",
                "message": "business not found in any register",
                "source": "local",
                "evidence": {"lookups": [{"provider": "local", "found": False}]},
                "as_of": "2026-11-27T10:00:00+00:00",
            }
        },
    }
    merchant = kwargs.pop("merchant", None) or MerchantFactory.create(
        tax_id_encrypted=encrypt("GB123456789"), tax_id_last4="6789"
    )
    return BusinessVerificationFactory.create(merchant=merchant, **{**defaults, **kwargs})


@pytest.fixture
def sanctions_case(settings: Any) -> Iterator[BusinessVerification]:
    """A case in review whose sanctions check (run for real) matched an OFAC fixture entry."""
    from screening.services import watchlist_load

    settings.SCREENING_VERSION_CHECK_SECONDS = 0
    engine.reset()
    watchlist_load(source="ofac_sdn", paths=LIST_FILES)
    merchant = MerchantFactory.create(
        legal_name=SANCTIONED,
        country="US",
        tax_id_encrypted=encrypt("GB123456789"),
        tax_id_last4="6789",
    )
    result = check_sanctions({"merchant_id": str(merchant.pk), "legal_name": SANCTIONED})
    assert result.reasons == ["sanctions_match"], result.message
    yield in_review(
        merchant=merchant,
        risk_score=60,
        risk_reasons=[SANCTIONS_MATCH],
        checks={"sanctions": result.as_dict()},
    )
    engine.reset()


# --- permissions -------------------------------------------------------------------------------


def test_groups_grant_least_privilege(analyst: User, senior: User, nobody: User) -> None:
    assert analyst.has_perm("verifications.decide_verification")
    assert analyst.has_perm("screening.add_clearedhit")
    assert not analyst.has_perm("verifications.reveal_pii")
    assert not analyst.has_perm("verifications.override_sanctions_match")
    assert not analyst.has_perm("verifications.change_businessverification")
    assert senior.has_perm("verifications.reveal_pii")
    assert senior.has_perm("verifications.override_sanctions_match")
    admin = Group.objects.get(name="admin")
    assert admin.permissions.filter(codename="reveal_pii").exists()
    assert nobody.get_all_permissions() == set()


def test_missing_groups_are_recreated_after_migrate() -> None:
    from django.core.management.sql import emit_post_migrate_signal

    Group.objects.filter(name="analyst").delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    analyst = Group.objects.get(name="analyst")
    assert analyst.permissions.filter(codename="decide_verification").exists()
    assert not analyst.permissions.filter(codename="reveal_pii").exists()


def test_staff_without_a_group_sees_nothing(nobody: User) -> None:
    v = in_review()
    client = _client(nobody)
    index = client.get("/admin/")
    assert index.status_code == 200 and b"businessverification" not in index.content
    assert client.get(QUEUE).status_code == 403
    assert client.get(page(v)).status_code == 403


# --- the queue ----------------------------------------------------------------------------------


def test_queue_puts_in_review_first_then_oldest_with_a_header(analyst: User) -> None:
    now = timezone.now()
    old_done = BusinessVerificationFactory.create(status=VerificationStatus.APPROVED)
    newer, older = in_review(), in_review()
    for v, age in ((old_done, 30), (newer, 1), (older, 5)):
        BusinessVerification.objects.filter(pk=v.pk).update(created_at=now - timedelta(days=age))
    response = _client(analyst).get(QUEUE)
    assert response.status_code == 200
    assert [v.pk for v in response.context["cl"].result_list] == [older.pk, newer.pk, old_done.pk]
    assert response.context["queue"]["waiting"] == 2
    assert b"waiting in review" in response.content and b"5\xc2\xa0days" in response.content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("reason=sanctions_match", {"sanctioned"}),
        ("reason=registry_not_found", {"gb_medium"}),
        ("band=low", {"fr_low"}),
        ("band=medium", {"gb_medium"}),
        ("band=high", {"sanctioned"}),
        ("country=fr", {"fr_low"}),
        ("age=gt7d", {"fr_low"}),
        ("age=lt1d", {"gb_medium", "sanctioned"}),
        ("assigned=me", {"gb_medium"}),
        ("assigned=none", {"fr_low", "sanctioned"}),
        ("status__exact=in_review", {"gb_medium", "sanctioned"}),
    ],
)
def test_queue_filters(analyst: User, query: str, expected: set[str]) -> None:
    rows = {
        "gb_medium": in_review(assigned_to=analyst),
        "sanctioned": in_review(risk_score=75, risk_reasons=[SANCTIONS_MATCH]),
        "fr_low": BusinessVerificationFactory.create(
            status=VerificationStatus.APPROVED,
            risk_score=5,
            merchant=MerchantFactory.create(country="FR"),
        ),
    }
    BusinessVerification.objects.filter(pk=rows["fr_low"].pk).update(
        created_at=timezone.now() - timedelta(days=10)
    )
    names = {v.pk: name for name, v in rows.items()}
    response = _client(analyst).get(f"{QUEUE}?{query}")
    assert response.status_code == 200
    assert {names[v.pk] for v in response.context["cl"].result_list} == expected


def test_queue_filters_by_integrator(analyst: User) -> None:
    mine = in_review()
    in_review(merchant=MerchantFactory.create(integrator=IntegratorFactory.create()))
    response = _client(analyst).get(f"{QUEUE}?integrator__id__exact={mine.integrator_id}")
    assert [v.pk for v in response.context["cl"].result_list] == [mine.pk]


def test_risk_bands_follow_the_thresholds() -> None:
    assert [risk_band(s) for s in (None, 0, 29, 30, 69, 70, 100)] == [
        "unscored",
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]


def test_queue_query_count_does_not_grow_with_rows(analyst: User) -> None:
    client = _client(analyst)

    def rows(n: int) -> None:
        for _ in range(n):
            in_review(assigned_to=analyst, merchant=MerchantFactory.create())

    rows(1)
    client.get(QUEUE)  # warm per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(QUEUE).status_code == 200
    rows(6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(QUEUE).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_queue_never_counts_a_large_table(analyst: User, monkeypatch: Any) -> None:
    """With the planner expecting a large result, the only COUNT is the header's in_review."""
    import kyb.admin_tools

    monkeypatch.setattr(kyb.admin_tools, "EXACT_COUNT_BELOW", 0)  # every table is "large"
    in_review()
    with CaptureQueriesContext(connection) as queries:
        assert _client(analyst).get(QUEUE).status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "in_review" in counts[0], counts


# --- the verification page ----------------------------------------------------------------------


def test_page_shows_everything_with_the_tax_id_masked(
    analyst: User, sanctions_case: BusinessVerification
) -> None:
    v = sanctions_case
    ClassificationFactory.create(business=v.merchant, verification=v, code="5051")
    VerificationEvent.objects.create(
        verification=v, from_status="processing", to_status="in_review", actor="system"
    )
    response = _client(analyst).get(page(v))
    assert response.status_code == 200
    body = response.content.decode()
    assert "****6789" in body and "GB123456789" not in body
    assert "Reveal (audited)" not in body  # analysts cannot reveal PII
    for expected in (SANCTIONED, "BELARUS-EO14038", "44525", "explanation", "5051"):
        assert expected in body, expected
    assert "processing → in_review" in body and "sanctions_match" in body
    assert "only a senior analyst can approve" in body


def test_page_shows_what_changed_on_the_merchant_since_the_checks_ran(analyst: User) -> None:
    from verifications.services import merchant_snapshot

    v = in_review()
    v.input_snapshot = merchant_snapshot(v.merchant)
    v.save(update_fields=["input_snapshot"])
    client = _client(analyst)
    assert "edited since submission" not in client.get(page(v)).content.decode()
    checked_name = v.merchant.legal_name
    Merchant.objects.filter(pk=v.merchant_id).update(legal_name="Renamed After Submission Ltd")
    body = client.get(page(v)).content.decode()
    assert "Merchant edited since submission" in body
    assert checked_name in body and "Renamed After Submission Ltd" in body


def test_people_edited_since_submission_show_a_birth_year_only(analyst: User) -> None:
    """The warning printed the raw list: dicts, None and full dates of birth."""
    from verifications.services import merchant_snapshot

    person = {"name": "Anna Smith", "role": "owner", "date_of_birth": "1985-04-12"}
    v = in_review(merchant=MerchantFactory.create(people=[person]))
    v.input_snapshot = merchant_snapshot(v.merchant)
    v.save(update_fields=["input_snapshot"])
    added = {"name": "Ben Jones", "role": "director", "date_of_birth": "1970-01-30"}
    Merchant.objects.filter(pk=v.merchant_id).update(people=[person, added])
    body = _client(analyst).get(page(v)).content.decode()
    assert "Anna Smith (owner, born 1985); Ben Jones (director, born 1970)" in body
    assert (
        "1985-04-12" not in body
        and "1970-01-30" not in body
        and "{" not in body.split('id="merchant-changed"')[1].split("</p>")[0]
    )


def test_page_query_count_does_not_grow_with_hits_events_or_codes(
    analyst: User, sanctions_case: BusinessVerification
) -> None:
    v = sanctions_case
    client = _client(analyst)
    client.get(page(v))
    with CaptureQueriesContext(connection) as few:
        assert client.get(page(v)).status_code == 200
    for rank in range(1, 6):
        ClassificationFactory.create(business=v.merchant, verification=v, rank=rank)
        VerificationEvent.objects.create(verification=v, to_status="in_review", actor="x")
        AnalystAction.objects.create(
            verification=v, merchant=v.merchant, action="assign", actor="x"
        )
    checks = dict(v.checks)
    screened = checks["sanctions"]["evidence"]["screened"]
    screened.append({**screened[0], "role": "dba_name"})
    BusinessVerification.objects.filter(pk=v.pk).update(checks=checks)
    with CaptureQueriesContext(connection) as many:
        assert client.get(page(v)).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_unknown_verification_is_404(analyst: User) -> None:
    response = _client(analyst).get(f"{QUEUE}00000000-0000-0000-0000-000000000000/change/")
    assert response.status_code == 404


# --- revealing the tax id ----------------------------------------------------------------------


def test_senior_reveals_the_tax_id_and_it_is_audited(senior: User) -> None:
    v = in_review()
    client = _client(senior)
    assert b"Reveal (audited)" in client.get(page(v)).content
    response = client.post(page(v, "reveal-tax-id"))
    assert response.status_code == 200
    assert b"GB123456789" in response.content and "no-store" in response["Cache-Control"]
    action = AnalystAction.objects.get()
    assert (action.action, action.actor_user, action.verification) == ("reveal_tax_id", senior, v)
    assert client.get(page(v, "reveal-tax-id")).status_code == 405


@pytest.mark.parametrize("who", ["analyst", "nobody"])
def test_reveal_is_refused_without_the_permission(request: Any, who: str) -> None:
    v = in_review()
    response = _client(request.getfixturevalue(who)).post(page(v, "reveal-tax-id"))
    assert response.status_code == 403
    assert b"GB123456789" not in response.content
    assert not AnalystAction.objects.exists()


# --- assignment ------------------------------------------------------------------------------


def test_assign_to_me_and_unassign(analyst: User) -> None:
    v = in_review()
    client = _client(analyst)
    assert client.post(page(v, "assign")).status_code == 302
    v.refresh_from_db()
    assert v.assigned_to == analyst and v.assigned_at is not None
    assert client.post(page(v, "unassign")).status_code == 302
    v.refresh_from_db()
    assert v.assigned_to is None
    assert list(AnalystAction.objects.values_list("action", flat=True)) == ["assign", "unassign"]
    assert client.get(page(v, "assign")).status_code == 405


def test_a_case_held_by_another_analyst_cannot_be_taken(analyst: User, analyst2: User) -> None:
    v = in_review(assigned_to=analyst, assigned_at=timezone.now())
    client = _client(analyst2)
    for action in ("assign", "unassign"):
        response = client.post(page(v, action), follow=True)
        assert b"Refused: assigned to ana" in response.content
    reason = {"reason": "looks fine"}
    client.post(page(v, "decide/approve"), reason)
    v.refresh_from_db()
    assert (v.assigned_to, v.status) == (analyst, VerificationStatus.IN_REVIEW)
    assert not AnalystAction.objects.exists()


def test_a_senior_analyst_may_take_over(analyst: User, senior: User) -> None:
    v = in_review(assigned_to=analyst, assigned_at=timezone.now())
    _client(senior).post(page(v, "assign"))
    v.refresh_from_db()
    assert v.assigned_to == senior
    assert AnalystAction.objects.get().detail == {"previous": "ana"}


def test_assignment_is_refused_without_permission(nobody: User) -> None:
    v = in_review()
    assert _client(nobody).post(page(v, "assign")).status_code == 403
    v.refresh_from_db()
    assert v.assigned_to is None


# --- decisions ---------------------------------------------------------------------------------


@pytest.fixture
def endpoint() -> Any:
    def make(v: BusinessVerification) -> WebhookEndpoint:
        return WebhookEndpoint.objects.create(
            integrator=v.integrator, url="https://hooks.example.com/kyb", secret_encrypted="x"
        )

    return make


@pytest.mark.parametrize(
    ("decision", "status"),
    [("approve", VerificationStatus.APPROVED), ("reject", VerificationStatus.REJECTED)],
)
def test_analyst_decides_with_a_reason_audited_and_webhooked(
    analyst: User,
    endpoint: Any,
    django_capture_on_commit_callbacks: Any,
    decision: str,
    status: str,
) -> None:
    v = in_review()
    endpoint(v)
    client = _client(analyst)
    assert client.get(page(v, f"decide/{decision}")).status_code == 200  # the small form
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            page(v, f"decide/{decision}"), {"reason": "documents checked", "reason_code": "other"}
        )
    assert response.status_code == 302
    v.refresh_from_db()
    assert (v.status, v.decided_by_user, v.decision_reason) == (
        status,
        analyst,
        "documents checked",
    )
    event = v.events.get(to_status=status)
    assert (event.from_status, event.actor, event.reason) == (
        "in_review",
        "ana",
        "documents checked",
    )
    assert WebhookEvent.objects.get().type == "verification.completed"
    assert callbacks  # the delivery is sent on commit


def test_a_decision_needs_a_reason(analyst: User) -> None:
    v = in_review()
    response = _client(analyst).post(page(v, "decide/reject"), {"reason": "  "})
    assert response.status_code == 200 and b"This field is required" in response.content
    v.refresh_from_db()
    assert v.status == VerificationStatus.IN_REVIEW and v.events.count() == 0


@pytest.mark.parametrize("decision", ["approve", "reject", "request_info"])
def test_decisions_are_refused_without_permission(nobody: User, decision: str) -> None:
    v = in_review()
    response = _client(nobody).post(page(v, f"decide/{decision}"), {"reason": "x"})
    assert response.status_code == 403
    v.refresh_from_db()
    assert v.status == VerificationStatus.IN_REVIEW and v.events.count() == 0


def test_a_decided_case_cannot_be_decided_again(analyst: User) -> None:
    v = BusinessVerificationFactory.create(status=VerificationStatus.REJECTED)
    response = _client(analyst).post(
        page(v, "decide/approve"), {"reason": "x", "reason_code": "verified"}, follow=True
    )
    assert b"Refused: the verification is rejected" in response.content
    v.refresh_from_db()
    assert v.status == VerificationStatus.REJECTED


def test_request_information_keeps_the_case_in_review_and_is_audited(
    analyst: User, endpoint: Any
) -> None:
    v = in_review()
    endpoint(v)
    client = _client(analyst)
    client.post(page(v, "decide/request_info"), {"reason": "send the certificate"})
    v.refresh_from_db()
    assert v.status == VerificationStatus.IN_REVIEW and v.decided_at is None
    event = v.events.get()
    assert (event.from_status, event.to_status, event.actor_user, event.reason) == (
        "in_review",
        "in_review",
        analyst,
        "send the certificate",
    )
    webhook = WebhookEvent.objects.get()
    assert webhook.type == "verification.information_requested"
    assert b"requested more information" in client.get(page(v)).content
    # The integrator sees what is asked: in the webhook and in the API.
    request = orjson.loads(webhook.body)["data"]["information_request"]
    assert request["reason"] == "send the certificate" and request["requested_at"]
    from kyb.tests.api_client import ApiClient
    from merchants.tests.factories import api_key_with_secret

    _key, secret = api_key_with_secret(integrator=v.integrator)
    body = ApiClient(secret).get(f"/api/v1/verifications/{v.pk}").json()
    assert body["information_request"]["reason"] == "send the certificate"


def test_only_a_senior_analyst_approves_over_a_sanctions_match(
    analyst: User, senior: User, sanctions_case: BusinessVerification
) -> None:
    v = sanctions_case
    response = _client(analyst).post(
        page(v, "decide/approve"), {"reason": "ok", "reason_code": "verified"}, follow=True
    )
    assert b"only a senior analyst" in response.content or b"senior analyst" in response.content
    v.refresh_from_db()
    assert v.status == VerificationStatus.IN_REVIEW
    _client(senior).post(
        page(v, "decide/approve"),
        {"reason": "different company, checked", "reason_code": "verified"},
    )
    v.refresh_from_db()
    assert v.status == VerificationStatus.APPROVED and v.decided_by_user == senior


def test_an_analyst_may_reject_a_sanctions_match(
    analyst: User, sanctions_case: BusinessVerification
) -> None:
    _client(analyst).post(
        page(sanctions_case, "decide/reject"),
        {"reason": "true match", "reason_code": "risk_policy"},
    )
    sanctions_case.refresh_from_db()
    assert sanctions_case.status == VerificationStatus.REJECTED


# --- false positives ---------------------------------------------------------------------------


def test_clearing_a_hit_is_remembered_for_the_merchant_and_audited(
    analyst: User, sanctions_case: BusinessVerification
) -> None:
    from screening.services import screen_name

    v = sanctions_case
    client = _client(analyst)
    form = {"list_source": "ofac_sdn", "entity_id": "44525", "reason": "different company"}
    assert client.post(page(v, "clear-hit"), form).status_code == 302
    cleared = ClearedHit.objects.get()
    assert (cleared.merchant_id, cleared.cleared_by) == (v.merchant_id, analyst)
    action = AnalystAction.objects.get()
    assert action.action == "clear_hit" and action.detail["entity_id"] == "44525"
    body = client.get(page(v)).content.decode()
    assert "cleared for this merchant" in body
    # Not "Ofac_sdn:44525 ...": the admin capitalises a message's first letter.
    assert "Cleared ofac_sdn:44525 as a false positive" in body
    hits = screen_name(name=SANCTIONED, merchant_id=v.merchant_id)
    assert "44525" not in {h.entity_id for h in hits}
    assert "44525" in {h.entity_id for h in screen_name(name=SANCTIONED)}  # others still see it


def test_only_hits_of_the_case_can_be_cleared(
    analyst: User, sanctions_case: BusinessVerification
) -> None:
    form = {"list_source": "ofac_sdn", "entity_id": "36", "reason": "x"}
    response = _client(analyst).post(page(sanctions_case, "clear-hit"), form, follow=True)
    assert b"is not a hit of this verification" in response.content
    assert not ClearedHit.objects.exists() and not AnalystAction.objects.exists()


def test_a_bad_clear_hit_form_says_what_is_wrong(
    analyst: User, sanctions_case: BusinessVerification
) -> None:
    form = {"list_source": "x" * 40, "entity_id": "44525", "reason": ""}
    response = _client(analyst).post(page(sanctions_case, "clear-hit"), form, follow=True)
    body = response.content.decode()
    assert "Refused: " in body and "list_source" in body and "reason" in body
    assert not ClearedHit.objects.exists()


def test_clearing_is_refused_without_permission(
    nobody: User, sanctions_case: BusinessVerification
) -> None:
    form = {"list_source": "ofac_sdn", "entity_id": "44525", "reason": "x"}
    assert _client(nobody).post(page(sanctions_case, "clear-hit"), form).status_code == 403
    assert not ClearedHit.objects.exists()


# --- bulk actions ------------------------------------------------------------------------------


def test_bulk_rerun_requeues_only_verifications_in_error(analyst: User) -> None:
    failed = BusinessVerificationFactory.create(status=VerificationStatus.ERROR)
    job = PipelineJobFactory.create(subject_id=str(failed.pk), status=JobStatus.DEAD)
    waiting = in_review()
    response = _client(analyst).post(
        QUEUE, {"action": "rerun_checks", "_selected_action": [str(failed.pk), str(waiting.pk)]}
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    waiting.refresh_from_db()
    assert failed.status == VerificationStatus.PENDING
    assert waiting.status == VerificationStatus.IN_REVIEW
    assert PipelineJob.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert failed.events.get().actor == "ana"


def test_bulk_rerun_over_all_rows_takes_the_cases_in_error_in_batches(
    analyst: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verifications.admin import review as review_admin

    monkeypatch.setattr(review_admin, "RERUN_BATCH", 2)
    failed = BusinessVerificationFactory.create_batch(3, status=VerificationStatus.ERROR)
    for verification in failed:
        PipelineJobFactory.create(subject_id=str(verification.pk), status=JobStatus.DEAD)
    in_review()
    response = _client(analyst).post(
        QUEUE,
        {"action": "rerun_checks", "select_across": "1", "_selected_action": [str(failed[0].pk)]},
        follow=True,
    )
    assert b"2 re-queued" in response.content and b"run it again for the rest" in response.content
    statuses = sorted(
        BusinessVerification.objects.filter(pk__in=[f.pk for f in failed]).values_list(
            "status", flat=True
        )
    )
    assert statuses == ["error", "pending", "pending"]


def test_the_only_bulk_action_is_rerun(analyst: User) -> None:
    response = _client(analyst).get(QUEUE)
    choices = [name for name, _ in response.context["action_form"].fields["action"].choices]
    assert [c for c in choices if c] == ["rerun_checks"]


def test_bulk_rerun_is_refused_without_permission(nobody: User) -> None:
    failed = BusinessVerificationFactory.create(status=VerificationStatus.ERROR)
    response = _client(nobody).post(
        QUEUE, {"action": "rerun_checks", "_selected_action": [str(failed.pk)]}
    )
    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.status == VerificationStatus.ERROR


def test_a_hit_on_an_alias_names_the_listed_entity(analyst: User, settings: Any) -> None:
    """A hit on an alias showed the alias alone ("aka" the same alias): who the entry is, its
    list version and its remarks were nowhere on the page."""
    from screening.services import watchlist_load

    settings.SCREENING_VERSION_CHECK_SECONDS = 0
    engine.reset()
    watchlist_load(source="ofac_sdn", paths=LIST_FILES)
    alias = "HESA TRADE CENTER"  # an alias of entity 11195 in the fixture
    merchant = MerchantFactory.create(legal_name=alias, country="IR")
    result = check_sanctions({"merchant_id": str(merchant.pk), "legal_name": alias})
    assert result.reasons == ["sanctions_match"], result.message
    v = in_review(
        merchant=merchant, risk_reasons=[SANCTIONS_MATCH], checks={"sanctions": result.as_dict()}
    )
    html = _client(analyst).get(page(v)).content.decode()
    engine.reset()
    assert "listed as <strong>IRAN AIRCRAFT MANUFACTURING INDUSTRIAL COMPANY</strong>" in html
    assert " v1 · entity 11195" in html
    assert "Subject to Secondary Sanctions" in html
