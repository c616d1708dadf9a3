"""Website check: fetch the declared site through the SSRF-guarded client; report reachability,
TLS, whether the business name appears; keep the page text for the industry check."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from kyb import outbound
from verifications import names
from verifications.checks.base import CheckResult, CheckStatus

SOURCE = "website"
logger = logging.getLogger(__name__)
TEXT_KEEP = 50_000  # characters handed to the classifier
EXCERPT = 500  # characters kept in the evidence
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})
_SPACE = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self.meta: list[str] = []
        self.summary: list[str] = []  # meta description / og:description: what the site says it is
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "meta":
            values = dict(attrs)
            if (values.get("name") or values.get("property") or "").lower() in {
                "description",
                "og:description",
                "og:site_name",
                "og:title",
                "keywords",
            }:
                self.meta.append(values.get("content") or "")
                if (values.get("name") or values.get("property") or "").lower() in {
                    "description",
                    "og:description",
                }:
                    self.summary.append(values.get("content") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        (self.title if self._in_title else self.parts).append(data)


def extract_text(html: str) -> tuple[str, str]:
    """(title, visible text incl. meta descriptions) of an HTML page, whitespace collapsed."""
    title, _, text = extract_page(html)
    return title, text


def extract_page(html: str) -> tuple[str, str, str]:
    """(title, meta description, visible text incl. meta tags), whitespace collapsed."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    title = _SPACE.sub(" ", " ".join(parser.title)).strip()
    summary = _SPACE.sub(" ", " ".join(dict.fromkeys(parser.summary))).strip()
    text = _SPACE.sub(" ", " ".join([*parser.meta, *parser.parts])).strip()
    return title, summary, text


def name_on_page(snapshot: Mapping[str, Any], page_text: str) -> bool:
    """Whether the legal or trading name (normalised, legal form dropped) appears on the page."""
    haystack = f" {names.normalise_text(page_text)} "
    candidates = [snapshot.get("legal_name"), snapshot.get("dba_name")]
    return any(
        f" {key} " in haystack for key in (names.normalise(str(c)) for c in candidates if c) if key
    )


def check_website(snapshot: Mapping[str, Any]) -> CheckResult:
    """Fetch the home page and judge it; the page text goes to ``artifacts['website_text']``."""
    url = str(snapshot.get("website") or "")
    if not url:
        return CheckResult(
            CheckStatus.NEUTRAL, "no website declared", SOURCE, reasons=["website_missing"]
        )
    if not settings.WEBSITE_CHECK_ENABLED:
        return CheckResult(CheckStatus.NEUTRAL, "website check disabled", SOURCE)
    try:
        # A breaker per host: merchants hosted on one failing platform stop costing a timeout
        # each, while one merchant's dead site never affects another's check.
        response = outbound.breaker_guarded(
            f"website:{(urlsplit(url).hostname or '').lower()}",
            lambda: outbound.request(
                "GET",
                url,
                headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"},
                timeout=settings.WEBSITE_TIMEOUT,
                max_bytes=settings.WEBSITE_MAX_BYTES,
                retries=1,
                provider="website",
            ),
        )
    except outbound.UnresolvableHost:
        # A name that does not resolve is a site nobody can reach, not an internal address.
        return CheckResult(
            CheckStatus.WARNING,
            "website unreachable: the name does not resolve",
            SOURCE,
            {"url": url},
            reasons=["website_unreachable"],
        )
    except outbound.BlockedDestination as exc:
        # Integrators read check messages: what a refused name resolves to stays in our log.
        logger.info("website refused: %s", exc)
        return CheckResult(
            CheckStatus.FAILURE,
            "website refused: not a public internet address",
            SOURCE,
            {"url": url},
            reasons=["website_blocked"],
        )
    except outbound.ResponseTooLarge as exc:
        return CheckResult(
            CheckStatus.WARNING, str(exc), SOURCE, {"url": url}, reasons=["website_unreachable"]
        )
    except outbound.OutboundError as exc:
        tls_error = "SSL" in str(exc) or "certificate" in str(exc).lower()
        return CheckResult(
            CheckStatus.WARNING,
            f"website unreachable: {exc}"[:500],
            SOURCE,
            {"url": url, "tls_error": tls_error},
            reasons=["website_tls_invalid" if tls_error else "website_unreachable"],
        )
    tls = urlsplit(response.url).scheme == "https"
    evidence: dict[str, Any] = {
        "url": url,
        "final_url": response.url,
        "redirects": list(response.history),
        "status": response.status,
        "tls": tls,
        "elapsed_ms": response.elapsed_ms,
        "bytes": len(response.body),
    }
    if not response.ok:
        return CheckResult(
            CheckStatus.WARNING,
            f"website answered HTTP {response.status}",
            SOURCE,
            evidence,
            reasons=["website_unreachable"],
        )
    title, summary, text = (
        extract_page(response.text())
        if "html" in response.headers.get("content-type", "html")
        else ("", "", "")
    )
    found = name_on_page(snapshot, f"{title} {text}")
    evidence.update(title=title[:200], name_found=found, excerpt=text[:EXCERPT])
    # The title and meta description say what the site is in a sentence; the classifier weighs
    # them above the page body (classifications: ``website_title``).
    artifacts = {
        "website_text": text[:TEXT_KEEP],
        "website_title": f"{title}. {summary}".strip(" .")[:EXCERPT],
    }
    reasons = [] if tls else ["website_no_tls"]
    if not found:
        reasons.append("website_name_absent")
    if reasons:
        message = "reachable; " + ", ".join(
            r.removeprefix("website_").replace("_", " ") for r in reasons
        )
        return CheckResult(
            CheckStatus.WARNING, message, SOURCE, evidence, reasons=reasons, artifacts=artifacts
        )
    return CheckResult(
        CheckStatus.SUCCESS,
        "reachable over TLS, business name on the page",
        SOURCE,
        evidence,
        artifacts=artifacts,
    )
