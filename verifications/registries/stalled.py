"""``stalled``: a register that never answers, for demos and drills only (never in production
settings). Every lookup runs into the task's soft time limit, as a hung provider would, so the
run takes the real failure path: the verification ``error``, its job ``failed``. ``seed_demo``
selects it through ``REGISTRY_ADAPTERS`` for the runs it shows failing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded

from verifications.registries.base import Lookup

PROVIDER = "stalled"


class StalledRegistryAdapter:
    name = PROVIDER

    def applies(self, snapshot: Mapping[str, Any]) -> bool:
        return True

    def lookup(self, snapshot: Mapping[str, Any]) -> Lookup:
        raise SoftTimeLimitExceeded("register did not answer within the task's time limit")
