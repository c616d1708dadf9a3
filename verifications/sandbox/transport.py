"""Outbound HTTP answered from recordings (``recordings/``): the sandbox's outside world.

A ``RecordedTransport`` is put in place for one sandbox run (``kyb.outbound.use_transport``).
It routes by the caller's ``provider`` and the URL's path, fills the recording's placeholders
from the request and returns the response the real service would have sent. Nothing is ever
connected to: a request it has no recording for fails as an unreachable host would.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from celery.exceptions import SoftTimeLimitExceeded

from kyb.outbound import OutboundCall, OutboundError, OutboundResponse
from verifications.sandbox.scenarios import Scenario

RECORDINGS = Path(__file__).resolve().parent / "recordings"
DEFAULT_LEI = "529900SANDBOX0000001"
_LEI_PATH = re.compile(r"/lei-records/([A-Za-z0-9]{20})$")
_COMPANY_PATH = re.compile(r"/company/([^/]+)$")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@functools.cache
def recording(name: str) -> tuple[int, dict[str, str], str]:
    """(status, headers, body template) of ``recordings/<name>.http``."""
    raw = (RECORDINGS / f"{name}.http").read_text(encoding="utf-8")
    head, _, body = raw.replace("\r\n", "\n").partition("\n\n")
    status_line, *header_lines = head.split("\n")
    headers = {}
    for line in header_lines:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def _fill(template: str, content_type: str, values: Mapping[str, str]) -> str:
    def escape(value: str) -> str:
        if "json" in content_type:
            return json.dumps(value, ensure_ascii=False)[1:-1]
        return html.escape(value)

    return _PLACEHOLDER.sub(lambda m: escape(values.get(m.group(1), "")), template)


class SandboxTimeLimit(SoftTimeLimitExceeded):
    """The ``flaky`` magic value: the first run stops as if a provider hung past the run's
    time limit (what Celery raises then), so the pipeline records it exactly as it would."""


class RecordedTransport:
    """Answers one sandbox run's outbound calls for ``scenario``; ``first_run`` says whether
    this is the merchant's first run (the ``flaky`` magic value fails only that one)."""

    def __init__(self, scenario: Scenario, snapshot: Mapping[str, Any], *, first_run: bool):
        self.scenario = scenario
        self.first_run = first_run
        self.values = {
            "legal_name": str(snapshot.get("legal_name") or ""),
            "country": str(snapshot.get("country") or "").upper(),
            "lei": str(snapshot.get("lei") or DEFAULT_LEI).upper(),
        }
        self.calls: list[OutboundCall] = []

    def send(self, call: OutboundCall) -> OutboundResponse:
        self.calls.append(call)
        if self.scenario.fail_first_run and self.first_run:
            raise SandboxTimeLimit("sandbox: the first run hits the time limit (magic value)")
        if call.method == "GET" and call.provider == "gleif":
            return self._gleif(call)
        company = _COMPANY_PATH.search(urlsplit(call.url).path)
        if call.method == "GET" and call.provider == "companies_house" and company:
            name = {"active": "company_active", "inactive": "company_dissolved"}
            values = {**self.values, "company_number": unquote(company.group(1))}
            recorded = name.get(self.scenario.registry, "company_not_found")
            return self._answer(call, f"companies_house/{recorded}", values)
        if call.method == "GET" and call.provider == "website":
            return self._answer(call, f"website/{self.scenario.website_page}", self.values)
        raise OutboundError(f"sandbox: no recording for {call.provider} {call.method} {call.url}")

    def _gleif(self, call: OutboundCall) -> OutboundResponse:
        parts = urlsplit(call.url)
        by_lei = _LEI_PATH.search(parts.path)
        registry = self.scenario.registry
        if by_lei:
            name = {"active": "lei_record_active", "inactive": "lei_record_inactive"}
            values = {**self.values, "lei": unquote(by_lei.group(1)).upper()}
            return self._answer(call, "gleif/" + name.get(registry, "lei_record_not_found"), values)
        if parts.path.endswith("/lei-records"):
            query = parse_qs(parts.query)
            values = {
                **self.values,
                "legal_name": (query.get("filter[entity.legalName]") or [""])[0],
                "country": (query.get("filter[entity.legalAddress.country]") or [""])[0],
            }
            name = {"active": "search_active", "inactive": "search_inactive"}
            return self._answer(call, "gleif/" + name.get(registry, "search_empty"), values)
        raise OutboundError(f"sandbox: no recording for gleif GET {call.url}")

    @staticmethod
    def _answer(call: OutboundCall, name: str, values: Mapping[str, str]) -> OutboundResponse:
        status, headers, template = recording(name)
        body = _fill(template, headers.get("content-type", ""), values).encode()
        return OutboundResponse(
            status=status,
            headers={**headers, "content-length": str(len(body))},
            body=body,
            url=call.url,
            elapsed_ms=0,
        )
