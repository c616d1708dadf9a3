"""The operations console in a real headless Chromium (Playwright for Python driving Debian's
``chromium`` through ``executable_path``; browser downloads are not used). The analyst's walk of
issue 13: a sanctions case decided from one screen at 1,400 x 900, back to the same filtered
queue, "next" opening the next case; axe-core on the queue, case and decision pages; 2FA in one
submit; a reload of the "key created" page creating no second key.

Screenshots land in ``docs/screens/`` when ``KYB_SCREENSHOTS=1`` (see docs/console.md).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("KYB_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
SCREENS = ROOT / "docs" / "screens"
PASSWORD = "browser-test-password-5821"
QUEUE = "/admin/verifications/businessverification/"

if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
    if os.environ.get("KYB_REQUIRE_BROWSER") == "1":  # CI: .ci/run installs chromium
        raise RuntimeError(f"{CHROMIUM} not found; apt-get install -y chromium")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; Django then refuses ORM calls
    # from the test body ("async context") unless told this thread is safe. Restored after.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def _shot(page: Any, name: str, **kwargs: Any) -> None:
    if os.environ.get("KYB_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENS / name), **kwargs)


def _user(username: str, group: str) -> Any:
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.set(Group.objects.filter(name=group))
    return user


def _login(page: Any, base: str, username: str, code: str | None = None) -> None:
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    if code is not None:
        page.fill("#id_otp_token", code)
    page.click("#login-form input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def _axe_serious(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, n: v.nodes.length,"
        " target: v.nodes[0].target.join(' ')}))"
    )
    return [
        f"{v['id']} ({v['impact']}, {v['n']}x, e.g. {v['target']})"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def _in_first_screen(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 900


@pytest.fixture
def sanctions_cases(settings: Any) -> Iterator[list[Any]]:
    """Two sanctions cases in review (real hits on the shipped OFAC fixture) and a plain one."""
    from merchants.tests.factories import MerchantFactory
    from screening import engine
    from screening.services import watchlist_load
    from verifications.checks.sanctions import check_sanctions
    from verifications.tests.test_review_console import (
        LIST_FILES,
        REGISTRY_NOT_FOUND,
        SANCTIONED,
        SANCTIONS_MATCH,
        in_review,
    )

    settings.SCREENING_VERSION_CHECK_SECONDS = 0
    engine.reset()
    watchlist_load(source="ofac_sdn", paths=LIST_FILES)
    cases = []
    for n in range(2):
        merchant = MerchantFactory.create(
            legal_name=SANCTIONED, country="US", registration_number=f"US-{n}"
        )
        result = check_sanctions({"merchant_id": str(merchant.pk), "legal_name": SANCTIONED})
        registry = {
            "status": "warning",
            "message": "found, name differs",
            "source": "local",
            "as_of": "2026-11-30T10:00:00+00:00",
            "evidence": {
                "record": {
                    "provider": "local",
                    "identifier": f"US-{n}",
                    "legal_name": "BELKAP STEEL LIMITED",
                    "country": "US",
                    "status": "ACTIVE",
                    "active": True,
                    "other_names": [],
                    "extra": {},
                }
            },
        }
        cases.append(
            in_review(
                merchant=merchant,
                risk_score=70,
                risk_reasons=[SANCTIONS_MATCH, REGISTRY_NOT_FOUND],
                checks={"sanctions": result.as_dict(), "registry": registry},
                input_snapshot={
                    "legal_name": SANCTIONED,
                    "registration_number": f"US-{n}",
                    "country": "US",
                },
            )
        )
    in_review()  # not a sanctions case: outside the filtered view
    yield cases
    engine.reset()


def test_an_analyst_decides_a_sanctions_case_from_one_screen(
    page: Any, live_server: Any, sanctions_cases: list[Any]
) -> None:
    from verifications.models import VerificationStatus

    first, second = sanctions_cases
    base = live_server.url
    _user("senior.browser", "senior analyst")
    _login(page, base, "senior.browser")

    # The queue, filtered to the sanctions view; it fits 1,400 px.
    page.goto(f"{base}{QUEUE}")
    with page.expect_navigation():
        page.click("#review-queue-stats >> text=Sanctions, unassigned")
    page.wait_for_selector("#result_list")
    filtered_url = page.url
    assert "view=sanctions_unassigned" in filtered_url
    right = page.evaluate("document.querySelector('#result_list').getBoundingClientRect().right")
    assert right <= 1400, f"the queue table is {right} px wide"
    assert _axe_serious(page) == []
    _shot(page, "review-queue.png")

    # The first case: hits, the registry comparison and the decision form without scrolling.
    with page.expect_navigation():
        page.click(f"#result_list a[href*='{first.pk}']")
    page.wait_for_selector("#verification-page")
    for selector in ("#risk-score", "#reasons-in-words", "#sanctions table", "#registry table"):
        assert _in_first_screen(page, selector), selector
    assert _in_first_screen(page, "#reject-button")
    assert page.locator("#sanctions mark").count() >= 1  # the matched words
    assert page.locator("#registry tr.differs").count() >= 1  # the name differs
    assert "{'" not in page.content()  # no Python dicts
    assert _axe_serious(page) == []
    _shot(page, "verification.png")

    # Reject with an integrator-facing code and an internal rationale; "next" is on by default.
    page.select_option("#id_reason_code", "risk_policy")
    page.fill("#id_reason", "True match on the entity and its address")
    page.click("#reject-button")
    page.wait_for_url(f"**/{second.pk}/change/**")
    assert "_changelist_filters=view%3Dsanctions_unassigned" in page.url
    first.refresh_from_db()
    assert first.status == VerificationStatus.REJECTED

    # Back to the same filtered queue.
    with page.expect_navigation():
        page.click("#back-to-queue")
    assert page.url == filtered_url

    # The decision page on its own (a refusal or an invalid form lands here).
    page.goto(f"{base}{QUEUE}{second.pk}/decide/reject/")
    assert _axe_serious(page) == []

    # At 800 px the queue keeps the merchant, risk and reasons on screen.
    page.set_viewport_size({"width": 800, "height": 900})
    page.goto(filtered_url)
    for column in ("merchant_name", "risk", "reason_codes"):
        box = page.locator(f"#result_list th.column-{column}").bounding_box()
        assert box is not None and box["x"] + box["width"] <= 800, column
    _shot(page, "review-queue-800.png")


def test_two_factor_login_succeeds_in_one_submit(
    page: Any, live_server: Any, settings: Any
) -> None:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.ADMIN_REQUIRE_2FA = True
    user = _user("totp.browser", "analyst")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
    _login(page, live_server.url, "totp.browser", code=code)
    assert "Site administration" in page.content() or "Operations" in page.content()


def test_reloading_the_key_created_page_creates_no_second_key(page: Any, live_server: Any) -> None:
    from django.contrib.auth.models import User

    from kyb.tenancy.models import ApiKey
    from merchants.tests.factories import IntegratorFactory

    IntegratorFactory.create(name="Reload Ltd")
    User.objects.create_superuser("root.browser", "r@example.com", PASSWORD)
    base = live_server.url
    _login(page, base, "root.browser")
    page.goto(f"{base}/admin/tenancy/apikey/add/")
    page.select_option("#id_integrator", label="Reload Ltd")
    page.click("#apikey_form input[type=submit]")
    page.wait_for_selector("#api-key-plaintext")
    page.reload()
    page.wait_for_load_state()
    assert ApiKey.objects.count() == 1


def test_operations_charts_render_offline_from_our_static_files(
    page: Any, live_server: Any
) -> None:
    from django.contrib.auth.models import User

    from monitoring.services import metrics_snapshot_take
    from verifications.tests.test_review_console import in_review

    in_review()
    metrics_snapshot_take()
    User.objects.create_superuser("ops.browser", "o@example.com", PASSWORD)
    base = live_server.url
    outside: list[str] = []

    def only_ours(route: Any) -> None:  # the console must not need the internet (no CDN)
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_ours)
    _login(page, base, "ops.browser")
    page.goto(f"{base}/admin/monitoring/monitoringmetric/operations/")
    page.wait_for_function("document.body.dataset.chartsDrawn === '7'")
    assert page.evaluate("typeof Chart") == "function" and outside == []
    assert page.evaluate("document.querySelectorAll('canvas').length") == 7
    _shot(page, "operations.png", full_page=True)
