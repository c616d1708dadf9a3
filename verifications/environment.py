"""What a verification run uses of the outside world: the outbound HTTP transport (registries,
websites), the business registers and the sanctions lists.

The live world is the network, ``REGISTRY_ADAPTERS`` and the loaded watchlists. A sandbox run
(``livemode`` false) gets ``verifications.sandbox``'s recorded world instead. The choice is made
once per run, from the verification's mode (``environment_for``), and put in place around the
checks (``use_environment``); the checks ask ``current_environment()`` and never branch on the
mode themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from kyb import outbound
from verifications.registries import RegistryAdapter, configured_adapters


class Environment(Protocol):
    livemode: bool
    transport: outbound.Transport | None  # None: the network

    def registry_adapters(self) -> list[RegistryAdapter]: ...

    def watchlists(self) -> list[str]:
        """Labels (``source:name``) of the lists screened against; empty: none loaded."""
        ...

    def screening_index(self) -> Any:
        """The screening index to search (``None``: the engine's index of the loaded lists)."""
        ...


class LiveEnvironment:
    livemode = True
    transport: outbound.Transport | None = None

    def registry_adapters(self) -> list[RegistryAdapter]:
        return configured_adapters()

    def watchlists(self) -> list[str]:
        from screening.selectors import watchlists_active

        return [f"{s}:{n}" for s, n in watchlists_active().values_list("source", "name")]

    def screening_index(self) -> Any:
        return None


LIVE = LiveEnvironment()
_current: ContextVar[Environment] = ContextVar("kyb_verification_environment", default=LIVE)


def current_environment() -> Environment:
    return _current.get()


def environment_for(snapshot: Mapping[str, Any]) -> Environment:
    """The live world, or the sandbox's for a sandbox snapshot (``livemode`` false)."""
    if snapshot.get("livemode", True):
        return LIVE
    from verifications.sandbox.environment import SandboxEnvironment

    return SandboxEnvironment(snapshot)


@contextmanager
def use_environment(environment: Environment) -> Iterator[None]:
    """Run the enclosed checks in ``environment`` (its transport included)."""
    token = _current.set(environment)
    try:
        with outbound.use_transport(environment.transport):
            yield
    finally:
        _current.reset(token)
