"""``manage.py build_classifier``: rebuild the shipped classifier artefact and MCC crosswalk."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from classifications.engine.build import build


class Command(BaseCommand):
    """Rebuild ``classifications/engine/artefact/`` and ``data/mcc_*_crosswalk.csv`` from the data.

    Deterministic (same inputs, same model version); the two SGD fits make it slow: about 6 min
    on the shared 2-core machine at moderate load (docs/classification.md). Commit the result.
    """

    help = "Rebuild the industry classifier artefact from classifications/data/."

    def handle(self, *args: Any, **options: Any) -> None:
        model = build(progress=lambda m: self.stdout.write(f"  {m}"))
        self.stdout.write(self.style.SUCCESS(f"built {model.version}"))
