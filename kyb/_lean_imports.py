"""Keep two libraries from importing optional packages we do not use into every process.

* Django REST framework's ``compat`` imports ``requests`` when it is installed; only DRF's test
  client (``RequestsClient``) uses it. It is installed for OpenTelemetry's OTLP/HTTP exporter,
  which imports it itself when tracing starts. At boot it cost 3.3 MB (90 modules).
* redis-py imports OpenTelemetry's metrics SDK when it is installed, for metrics of its own that
  we do not enable: 1.8 MB (47 modules).

Web workers sit at the edge of the 200 MB goal (docs/benchmarks.md), and each web and worker
process paid both. So while one of those modules runs (the first time anything imports it) the
optional package is hidden, and the library takes it as absent; the package itself stays
importable afterwards (tracing imports what it needs). The libraries are not imported any
earlier than before: gunicorn's master, which imports neither, stays small.
``kyb/__init__.py``, which every process loads first, installs the finder.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

# module -> the optional package it must not pull in while it runs
HIDDEN_WHILE_IMPORTING = {
    "rest_framework.compat": "requests",
    "redis": "opentelemetry.sdk.metrics",
}


class _Hiding(importlib.abc.Loader):
    """The real loader, with ``hidden`` absent from ``sys.modules`` while the module runs."""

    def __init__(self, loader: Any, hidden: str) -> None:
        self.loader = loader
        self.hidden = hidden

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        created: ModuleType | None = self.loader.create_module(spec)
        return created

    def exec_module(self, module: ModuleType) -> None:
        if self.hidden in sys.modules:  # already imported by someone: nothing to save
            self.loader.exec_module(module)
            return
        sys.modules[self.hidden] = None  # type: ignore[assignment]  # an import of it fails
        try:
            self.loader.exec_module(module)
        finally:
            del sys.modules[self.hidden]


class HideOptionalImports(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        hidden = HIDDEN_WHILE_IMPORTING.get(fullname)
        if hidden is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _Hiding(spec.loader, hidden)
        return spec


def install() -> None:
    if not any(isinstance(finder, HideOptionalImports) for finder in sys.meta_path):
        sys.meta_path.insert(0, HideOptionalImports())


install()
