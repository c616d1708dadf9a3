"""The registry adapter interface: look a merchant up in one business register."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


class ProviderUnavailable(Exception):
    """The register could not answer (down, timing out, breaker open, misconfigured)."""


@dataclass(frozen=True)
class RegistryRecord:
    """One register entry in a provider-neutral shape. ``active`` is None when unknown."""

    provider: str
    identifier: str
    legal_name: str
    country: str = ""
    active: bool | None = None
    status: str = ""
    registration_status: str = ""
    other_names: tuple[str, ...] = ()
    url: str = ""
    as_of: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["other_names"] = list(self.other_names)
        return data


@dataclass(frozen=True)
class Lookup:
    """A register's answer: ``record`` None means a definite "not found" for ``query``."""

    provider: str
    query: dict[str, str]
    record: RegistryRecord | None


class RegistryAdapter(Protocol):
    """One business register. ``lookup`` raises ``ProviderUnavailable`` when it cannot answer."""

    name: str

    def applies(self, snapshot: Mapping[str, Any]) -> bool: ...

    def lookup(self, snapshot: Mapping[str, Any]) -> Lookup: ...
