"""``manage.py bench_classify``: accuracy, calibration and latency of the shipped classifier."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from classifications.engine import benchmark, get_classifier


class Command(BaseCommand):
    """Evaluate on the held-out NAICS index phrases and the hand-labelled real-world set.

    Prints top-1/top-3 accuracy at NAICS 2/4/6 and SIC 2/4 digits and MCC, the expected calibration
    error, latency (median, p95) and the most-frequent-code baseline, as Markdown.
    """

    help = "Benchmark the industry classifier (Markdown tables on stdout)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=None, help="only the first N index-test phrases"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        model = get_classifier()
        report = benchmark.run(
            model, limit=options["limit"], progress=lambda m: self.stderr.write(m)
        )
        self.stdout.write(benchmark.format_report(report))
