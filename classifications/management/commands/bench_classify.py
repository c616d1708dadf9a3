"""``manage.py bench_classify``: accuracy, calibration and latency of the shipped classifier."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from classifications.engine import benchmark, get_classifier


class Command(BaseCommand):
    """Evaluate on the held-out NAICS index phrases, the everyday-wording set and the names-only
    hold-out.

    Prints NAICS-6 top-1/top-3, NAICS-4, sector, top-1/top-3 accuracy at NAICS 2/4/6, SIC 2/4 and
    MCC, the expected calibration error, names-only accuracy beside the most-frequent-class
    baseline, and latency (median, p95), as Markdown.
    """

    help = "Benchmark the industry classifier (Markdown tables on stdout)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=None, help="only the first N index-test phrases"
        )
        parser.add_argument(
            "--no-names", action="store_true", help="skip the names-only set (about 1 min)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        model = get_classifier()
        report = benchmark.run(
            model,
            limit=options["limit"],
            progress=lambda m: self.stderr.write(m),
            names=not options["no_names"],
        )
        self.stdout.write(benchmark.format_report(report))
