"""Registry adapters against local fakes speaking GLEIF's and Companies House's wire formats,
the offline table, and the circuit breaker around a failing provider."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from kyb import outbound
from kyb.outbound import breakers
from verifications.checks.base import CheckStatus
from verifications.checks.registry import check_registry
from verifications.models import RegistryEntity
from verifications.registries.loader import DEFAULT_FILES, registry_load
from verifications.tests.fakes import FakeProvider, Reply, companies_house_profile, gleif_record

ISSUED_LEI = "9845001B2AD43E664E58"
LAPSED_LEI = "549300LBI3LRIZ2V8V66"


@pytest.fixture
def gleif(provider: FakeProvider, settings: Any) -> FakeProvider:
    settings.REGISTRY_ADAPTERS = ["gleif"]
    settings.GLEIF_API_URL = provider.url + "/api/v1"
    provider.route(
        f"/api/v1/lei-records/{ISSUED_LEI}",
        Reply.json(gleif_record(f"pygleif_{ISSUED_LEI}_issued.json")),
    )
    provider.route(
        f"/api/v1/lei-records/{LAPSED_LEI}",
        Reply.json(gleif_record(f"pygleif_{LAPSED_LEI}_lapsed.json")),
    )
    return provider


@pytest.fixture
def companies_house(provider: FakeProvider, settings: Any) -> FakeProvider:
    settings.REGISTRY_ADAPTERS = ["companies_house"]
    settings.COMPANIES_HOUSE_API_URL = provider.url
    settings.COMPANIES_HOUSE_API_KEY = "test-key"
    provider.route(
        "/company/09446231", Reply.json(companies_house_profile("09446231", "ACME TRADING LTD"))
    )
    provider.route(
        "/company/01234567",
        Reply.json(companies_house_profile("01234567", "GONE LIMITED", status="dissolved")),
    )
    return provider


def test_gleif_issued_record_with_matching_name_succeeds(gleif: FakeProvider) -> None:
    result = check_registry({"lei": ISSUED_LEI, "legal_name": "Rahul", "country": "IN"})
    assert result.status == CheckStatus.SUCCESS, result.message
    record = result.evidence["record"]
    assert record["identifier"] == ISSUED_LEI and record["status"] == "ACTIVE"
    assert record["as_of"] == "2024-07-06T08:00:00Z"
    assert gleif.requests[0].headers["Accept"] == "application/json"


def test_gleif_trading_name_counts_as_a_name_match(gleif: FakeProvider) -> None:
    snapshot = {"lei": ISSUED_LEI, "legal_name": "Matrix Power & Automation", "country": "IN"}
    assert check_registry(snapshot).status == CheckStatus.SUCCESS


def test_gleif_lapsed_registration_is_a_warning(gleif: FakeProvider) -> None:
    result = check_registry(
        {"lei": LAPSED_LEI, "legal_name": "UK Equity Fund (Offshore)", "country": "GB"}
    )
    assert result.status == CheckStatus.WARNING
    assert "registry_lei_lapsed" in result.reasons


def test_gleif_name_mismatch_and_unknown_lei(gleif: FakeProvider) -> None:
    mismatch = check_registry(
        {"lei": ISSUED_LEI, "legal_name": "Globex Corporation", "country": "IN"}
    )
    assert mismatch.status == CheckStatus.WARNING and "registry_name_mismatch" in mismatch.reasons
    missing = check_registry(
        {"lei": "5493001KJTIIGC8Y1R12", "legal_name": "Nobody", "country": "US"}
    )
    assert missing.status == CheckStatus.WARNING and missing.reasons == ["registry_not_found"]


def test_companies_house_active_and_dissolved(companies_house: FakeProvider) -> None:
    active = check_registry(
        {"registration_number": "09446231", "legal_name": "Acme Trading Ltd", "country": "GB"}
    )
    assert active.status == CheckStatus.SUCCESS, active.message
    assert active.evidence["record"]["extra"]["sic_codes"] == ["47910"]
    # HTTP basic auth with the API key as the user name, as Companies House documents.
    assert companies_house.requests[0].headers["Authorization"] == "Basic dGVzdC1rZXk6"
    gone = check_registry(
        {"registration_number": "01234567", "legal_name": "Gone Ltd", "country": "GB"}
    )
    assert gone.status == CheckStatus.FAILURE and gone.reasons == ["registry_inactive"]


def test_local_table_is_the_offline_default(db: Any, settings: Any) -> None:
    settings.REGISTRY_ADAPTERS = ["local"]
    registry_load(paths=(DEFAULT_FILES[1],))
    row = RegistryEntity.objects.order_by("lei").first()
    assert row is not None
    by_lei = check_registry({"lei": row.lei, "legal_name": row.legal_name, "country": row.country})
    assert by_lei.status == CheckStatus.SUCCESS and by_lei.source == "local"
    by_name = check_registry({"legal_name": row.legal_name.upper(), "country": row.country})
    assert by_name.status == CheckStatus.SUCCESS
    unknown = check_registry({"legal_name": "Surely Not Registered Widgets", "country": "IT"})
    assert unknown.reasons == ["registry_not_found"]


def test_breaker_opens_on_a_failing_provider_and_closes_after_recovery(
    gleif: FakeProvider, settings: Any
) -> None:
    settings.OUTBOUND_RETRIES = 0
    settings.OUTBOUND_BREAKER_FAIL_MAX = 3
    settings.OUTBOUND_BREAKER_RESET_TIMEOUT = 1
    snapshot = {"lei": ISSUED_LEI, "legal_name": "Rahul", "country": "IN"}
    gleif.down = True
    for _ in range(3):
        result = check_registry(snapshot)
        assert result.status == CheckStatus.NEUTRAL
        assert result.reasons == ["registry_unavailable"]
    assert outbound.breaker_state("gleif") == "open"
    # Shared through Redis: another worker process reads the same state.
    shared = redis.Redis.from_url(django_settings.OUTBOUND_BREAKER_REDIS_URL)
    prefix = django_settings.CACHES["default"]["KEY_PREFIX"]
    assert shared.get(f"{prefix}:breaker:gleif:pybreaker:state") == b"open"
    hits = len(gleif.requests)
    open_result = check_registry(snapshot)
    assert open_result.status == CheckStatus.NEUTRAL and "breaker open" in open_result.message
    assert len(gleif.requests) == hits  # not even attempted while open
    gleif.down = False
    time.sleep(1.1)
    recovered = check_registry(snapshot)
    assert recovered.status == CheckStatus.SUCCESS
    assert outbound.breaker_state("gleif") == "closed"


def _breaker_sample(client: Any, provider: str) -> str | None:
    body = client.get("/metrics").content.decode()
    line = f'kyb_outbound_breaker_state{{provider="{provider}"}} '
    found = [row for row in body.splitlines() if row.startswith(line)]
    return found[0][len(line) :] if found else None


def test_metrics_export_the_shared_breaker_state_whoever_tripped_it(
    gleif: FakeProvider, settings: Any, client: Any, db: None
) -> None:
    """The breakers trip in workers, which are not scraped: /metrics reads Redis, so it shows
    another process's open breaker and its closing by yet another one."""
    settings.OUTBOUND_RETRIES = 0
    settings.OUTBOUND_BREAKER_FAIL_MAX = 1
    assert _breaker_sample(client, "gleif") == "0.0"
    assert _breaker_sample(client, "companies_house") == "0.0"
    # Another process trips it: written straight into the shared state.
    shared = redis.Redis.from_url(django_settings.OUTBOUND_BREAKER_REDIS_URL)
    prefix = django_settings.CACHES["default"]["KEY_PREFIX"]
    shared.set(f"{prefix}:breaker:gleif:pybreaker:state", "open")
    assert _breaker_sample(client, "gleif") == "2.0"
    breakers.breaker_reset("gleif")
    assert _breaker_sample(client, "gleif") == "0.0"
    gleif.down = True
    check_registry({"lei": ISSUED_LEI, "legal_name": "Rahul", "country": "IN"})
    assert _breaker_sample(client, "gleif") == "2.0"


def test_metrics_leave_the_breaker_state_out_when_redis_is_down(
    settings: Any, client: Any, db: None
) -> None:
    settings.OUTBOUND_BREAKER_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/metrics")
    assert response.status_code == 200
    assert "kyb_outbound_breaker_state{" not in response.content.decode()


def test_a_not_found_answer_does_not_count_against_the_breaker(
    gleif: FakeProvider, settings: Any
) -> None:
    settings.OUTBOUND_BREAKER_FAIL_MAX = 2
    for _ in range(4):
        check_registry({"lei": "5493001KJTIIGC8Y1R12", "legal_name": "Nobody", "country": "US"})
    assert outbound.breaker_state("gleif") == "closed"


def test_without_redis_the_breaker_still_works_per_process(
    gleif: FakeProvider, settings: Any
) -> None:
    settings.OUTBOUND_BREAKER_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.OUTBOUND_RETRIES = 0
    settings.OUTBOUND_BREAKER_FAIL_MAX = 2
    snapshot = {"lei": ISSUED_LEI, "legal_name": "Rahul", "country": "IN"}
    assert check_registry(snapshot).status == CheckStatus.SUCCESS
    gleif.down = True
    for _ in range(3):
        assert check_registry(snapshot).reasons == ["registry_unavailable"]
    assert outbound.breaker_state("gleif") == "open"


def _registry_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("registry_load", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


GOOD_LEI = "529900T8BM49AURSDO55"
HEADER = "LEI,Entity.LegalName,Entity.LegalAddress.Country\n"


def test_registry_load_reports_and_skips_unusable_rows(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "reg.csv"
    path.write_text(
        HEADER + ",No Lei Co,GB\n"
        f"{GOOD_LEI},,GB\n"
        "THISISNOTAVALIDLEI_TOOLONG12345,Truncated Co,GB\n"
        f"{GOOD_LEI},Good Co,GBR\n"
        f"{GOOD_LEI},Nul\x00 Co,GB\n"
        f"{GOOD_LEI},{'N' * 501},GB\n"
        f"{GOOD_LEI},Good Co,gb\n",
        encoding="utf-8",
    )
    out, err = _registry_command(str(path))
    assert "1 rows upserted, 6 rows skipped" in out
    assert err.splitlines() == [
        "skipped reg.csv:2: no LEI",
        "skipped reg.csv:3: no legal name",
        "skipped reg.csv:4: LEI 'THISISNOTAVALIDLEI_TOOLONG12345' is not 20 letters and digits",
        "skipped reg.csv:5: country 'GBR' is not a 2-letter code",
        "skipped reg.csv:6: NUL character in the row",
        "skipped reg.csv:7: legal name is 501 characters, the limit is 500",
    ]
    # Nothing truncated into a different LEI or country.
    assert list(RegistryEntity.objects.values_list("lei", "country")) == [(GOOD_LEI, "GB")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"foo,bar\n1,2\n", r"wrong\.csv: header lacks column\(s\) LEI, Entity\.LegalName"),
        (b"", r"wrong\.csv: header lacks column\(s\) LEI, Entity\.LegalName"),
        (b"LEI,Entity.LegalName\nABC,Soci\xe9t\xe9\n", r"wrong\.csv:2: not valid UTF-8"),
        (
            b'LEI,Entity.LegalName\n"' + b"A" * 140_000 + b'",x\n',
            r"wrong\.csv:2: unreadable CSV: field larger than field limit",
        ),
    ],
)
def test_registry_load_unusable_file_is_a_command_error(
    db: Any, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "wrong.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        _registry_command(str(path))
    assert not RegistryEntity.objects.exists()


def test_registry_load_refuses_a_directory(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="not a file"):
        _registry_command(str(tmp_path))


def test_registry_load_if_empty_completes_an_interrupted_load(db: Any, tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(HEADER + f"{GOOD_LEI},First Co,GB\n", encoding="utf-8")
    second.write_text(HEADER + "5493001KJTIIGC8Y1R12,Second Co,US\n", encoding="utf-8")
    _registry_command(str(first))  # the run stopped before the second file
    out, _ = _registry_command("--if-empty", str(first), str(second))
    assert "a.csv: already loaded, skipped" in out and "1 rows upserted" in out
    assert RegistryEntity.objects.count() == 2
    out, _ = _registry_command("--if-empty", str(first), str(second))
    assert "registry_entities already loaded; skipped" in out
