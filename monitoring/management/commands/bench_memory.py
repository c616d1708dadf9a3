"""``manage.py bench_memory``: what a web or Celery worker process holds, stage by stage.

Issue #10 asks for web and worker RSS of at most 200 MB each "with screening and the
classifier in use". This command starts as a web worker does (settings, apps, URLconf and the
WSGI application), then uses each engine once in this same process, printing the resident set
after every stage:

1. boot: Django, DRF, Celery, psycopg, redis... and this project's modules, and how many
   modules are imported (their bytecode is most of a booted worker);
2. ``/classify`` in use: numpy, the classifier artefact, one classification;
3. ``/screen`` in use: the screening index over the active lists, one screening;
4. sustained use (``--names``, default 20,000): that many distinct real names screened and a
   quarter as many businesses classified, so the engines' bounded caches (word similarities,
   tokenized names, compound splits) fill as they do in a worker that has run for a while.
   This is the figure to hold against the goal.

Run it against a database with the lists loaded (``make bench-memory`` loads the bundled
ones). RSS is the kernel's count for this process (shared pages included), as ``ps`` shows it.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from kyb.process_metrics import resident_mb
from monitoring.benchdata import index_phrases, real_names

GOAL_MB = 200


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-load",
            action="store_true",
            help="screen with the active lists as they are (default: load_default_watchlists"
            " --if-empty first)",
        )
        parser.add_argument(
            "--names",
            type=int,
            default=20_000,
            help="distinct names screened in the sustained-use stage (0 skips it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.urls import get_resolver

        from kyb.wsgi import application  # noqa: F401  # what gunicorn imports

        get_resolver().url_patterns  # noqa: B018  # the URLconf, as the first request loads it
        if not options["no_load"]:
            call_command("load_default_watchlists", "--if-empty", stdout=self.stdout)
        w = self.stdout.write
        gc.collect()
        boot = resident_mb()
        w(f"boot (settings, apps, URLconf, WSGI app): {boot:.0f} MB, {len(sys.modules)} modules")

        from classifications.services import classify_business

        classify_business(name="Acme Outdoor", description="Online outdoor clothing shop")
        gc.collect()
        classified = resident_mb()
        w(f"+ classifier in use (numpy, artefact): {classified:.0f} MB")

        from screening import engine
        from screening.services import screen_name

        screen_name(name="Acme Outdoor Ltd", entity_type="organization")
        index = engine.current_index()
        gc.collect()
        screened = resident_mb()
        w(
            f"+ screening index in use ({len(index)} entities, {index.name_count} names):"
            f" {screened:.0f} MB"
        )
        w(
            f"engines: classifier +{classified - boot:.0f} MB,"
            f" screening +{screened - classified:.0f} MB; total {screened:.0f} MB"
        )
        final = screened
        if options["names"]:
            names = real_names(options["names"])
            phrases = index_phrases(len(names) // 4)
            for name in names:
                screen_name(name=name, entity_type="any")
            for i, phrase in enumerate(phrases):
                classify_business(name=names[i], description=phrase)
            gc.collect()
            final = resident_mb()
            w(
                f"+ sustained use ({len(names)} distinct names screened, {len(phrases)} businesses"
                f" classified): {final:.0f} MB"
            )
        verdict = "met" if final <= GOAL_MB else "not met"
        w(f"result: {final:.0f} MB against the {GOAL_MB} MB goal ({verdict})")
