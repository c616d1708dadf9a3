"""The sandbox's world: recorded HTTP answers from Companies House and GLEIF, a recorded list
excerpt."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from kyb.outbound import Transport
from verifications.registries import RegistryAdapter
from verifications.registries.companies_house import CompaniesHouseAdapter
from verifications.registries.gleif import GleifAdapter
from verifications.sandbox.scenarios import scenario_for
from verifications.sandbox.transport import RECORDINGS, RecordedTransport

WATCHLIST_LABEL = "ofac_sdn:OFAC SDN (sandbox recording, 4 entries)"


@functools.cache
def sandbox_index() -> Any:
    """The screening index of the recorded OFAC SDN excerpt, built once per process (the same
    parser and matcher as the loaded lists)."""
    from screening.loaders.ofac import parse_ofac
    from screening.matching.index import ListEntity, ScreeningIndex

    folder = RECORDINGS / "ofac_sdn"
    parsed = parse_ofac([folder / "sdn.csv", folder / "alt.csv", folder / "add.csv"])
    return ScreeningIndex(
        (
            ListEntity(
                list_source="ofac_sdn",
                entity_id=entry.entity_id,
                entity_type=entry.entity_type,
                primary_name=entry.primary_name,
                aliases=tuple(entry.aliases),
                programs=tuple(entry.programs),
                countries=tuple(entry.countries),
                identifiers=tuple(i.value for i in entry.identifiers),
                content_hash=entry.content_hash(),
            )
            for entry in parsed.entries
        ),
        stamp="sandbox",
    )


def _run_number(snapshot: Mapping[str, Any]) -> int:
    """How many times the merchant's verifications have started running, this run included
    (its audit rows): a retry, or a new verification of the same merchant, counts on."""
    from verifications.models import VerificationEvent, VerificationStatus

    merchant_id = str(snapshot.get("merchant_id") or "")
    if not merchant_id:
        return 1
    return VerificationEvent.objects.filter(
        verification__merchant_id=merchant_id,
        to_status=VerificationStatus.PROCESSING,
    ).count()


class SandboxCompaniesHouse(CompaniesHouseAdapter):
    """Companies House's adapter, applying without an API key: nothing is sent anyway."""

    def applies(self, snapshot: Mapping[str, Any]) -> bool:
        return str(snapshot.get("country") or "").upper() == "GB" and bool(
            snapshot.get("registration_number")
        )


class SandboxEnvironment:
    livemode = False

    def __init__(self, snapshot: Mapping[str, Any]) -> None:
        self.scenario = scenario_for(snapshot)
        first_run = _run_number(snapshot) <= 1 if self.scenario.fail_first_run else False
        self.transport: Transport | None = RecordedTransport(
            self.scenario, snapshot, first_run=first_run
        )

    def registry_adapters(self) -> list[RegistryAdapter]:
        # Over the recorded transport, in these APIs' wire formats: a GB company by its number
        # at Companies House, then anyone by LEI or name at GLEIF.
        return [SandboxCompaniesHouse(), GleifAdapter()]

    def watchlists(self) -> list[str]:
        return [WATCHLIST_LABEL]

    def screening_index(self) -> Any:
        return sandbox_index()
