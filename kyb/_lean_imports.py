"""Keep two libraries from importing optional packages we do not use into every process.

* Django REST framework's ``compat`` imports ``requests`` when it is installed; only DRF's test
  client (``RequestsClient``) uses it. It is installed for OpenTelemetry's OTLP/HTTP exporter,
  which imports it itself when tracing starts. At boot it cost 3.3 MB (90 modules).
* redis-py imports OpenTelemetry's metrics SDK when it is installed, for metrics of its own that
  we do not enable: 1.8 MB (47 modules).

Web workers sit at the edge of the 200 MB goal (docs/benchmarks.md), and each web and worker
process paid both. So each library is imported first, here, with the optional package hidden:
it then takes the package as absent. The package itself stays importable afterwards (tracing
imports what it needs). Imported by ``kyb/__init__.py``, which every process loads first.
"""

from __future__ import annotations

import importlib
import sys

# (module to import now, optional package it must not pull in)
HIDDEN_WHILE_IMPORTING = (
    ("rest_framework.compat", "requests"),
    ("redis", "opentelemetry.sdk.metrics"),
)

for _module, _hidden in HIDDEN_WHILE_IMPORTING:
    if _module in sys.modules or _hidden in sys.modules:
        continue
    sys.modules[_hidden] = None  # type: ignore[assignment]  # an import of it now fails
    try:
        importlib.import_module(_module)
    finally:
        del sys.modules[_hidden]
