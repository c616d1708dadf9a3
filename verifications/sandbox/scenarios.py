"""Magic values: what a sandbox merchant's data scripts (docs/sandbox.md keeps the table).

Tokens are whole words in the legal name, any case; several may be combined. The sanctions hit
is not a token: it is screening, for real, of a name that is on the sandbox's recorded list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

REJECTED = "rejected"  # the register answers: dissolved (registry_inactive)
UNREGISTERED = "unregistered"  # the register answers: no such business (registry_not_found)
FLAKY = "flaky"  # the first run of the merchant hits the time limit; the next one succeeds
WEBHOOK_FAIL = "webhookfail"  # the first attempt of each webhook delivery fails

# mcc_NNNN in the description or legal name: the merchant's website serves a recorded page of
# that trade, which the classifier reads (recordings/website/mcc_NNNN.http).
MCC_PAGES = ("5411", "5812", "5942", "7995")
_MCC = re.compile(r"\bmcc_(\d{4})\b", re.IGNORECASE)

# Names on the sandbox's recorded sanctions list (recordings/ofac_sdn): a merchant or a person
# with one of them is a sanctions match, hence in review.
SANCTIONED_NAMES = ("Anglo-Caribbean Co., Ltd.", "Manuel Antonio Noriega")

WEBHOOK_FAILURES = 1  # failed first attempts per delivery under WEBHOOK_FAIL


def _has(text: str, token: str) -> bool:
    return re.search(rf"\b{re.escape(token)}\b", text, re.IGNORECASE) is not None


@dataclass(frozen=True)
class Scenario:
    """What the recorded world answers for one sandbox merchant."""

    registry: str = "active"  # "active" | "inactive" | "not_found"
    website_page: str = "default"
    fail_first_run: bool = False
    webhook_failures: int = 0


def scenario_for(snapshot: Mapping[str, Any]) -> Scenario:
    """The scenario a merchant's submitted data (a verification snapshot) asks for."""
    name = str(snapshot.get("legal_name") or "")
    registry = "active"
    if _has(name, UNREGISTERED):
        registry = "not_found"
    elif _has(name, REJECTED):
        registry = "inactive"
    page = "default"
    if name.strip().casefold() in {n.casefold() for n in SANCTIONED_NAMES}:
        # The sanctions scenario's outcome is the sanctions hit alone: its site is a plain
        # bookshop's, so no classifier version reads a prohibited trade into the name.
        page = "mcc_5942"
    for text in (str(snapshot.get("description") or ""), name):
        found = _MCC.search(text)
        if found and found.group(1) in MCC_PAGES:
            page = f"mcc_{found.group(1)}"
            break
    return Scenario(
        registry=registry,
        website_page=page,
        fail_first_run=_has(name, FLAKY),
        webhook_failures=WEBHOOK_FAILURES if _has(name, WEBHOOK_FAIL) else 0,
    )
