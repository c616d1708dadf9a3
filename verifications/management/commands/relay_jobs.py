"""``manage.py relay_jobs [--once]``: run the outbox relay in the foreground.

The relay sends new verification jobs from the outbox table to the broker when
``PIPELINE_PUBLISH=relay`` (docs/pipeline.md, "The outbox relay"). celery beat runs one as a
thread already; this command is for a relay of its own (a second one for availability, or a
deployment without beat) and for the load test. It stops on SIGTERM or SIGINT. ``--once`` makes
one pass and prints how many jobs went.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from verifications.pipeline.relay import pipeline_jobs_relay, relay_forever


class Command(BaseCommand):
    help = "Send new verification jobs from the outbox to the broker (PIPELINE_PUBLISH=relay)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self.stdout.write(f"{pipeline_jobs_relay()} job(s) sent")
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write("relaying new verification jobs to the broker (SIGTERM stops)")
        relay_forever(stop)
