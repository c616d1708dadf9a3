"""``manage.py create_api_key --integrator NAME [--scopes ...] [--name LABEL] [--sandbox]``.

``--sandbox`` makes a sandbox key (``kyb_test_…``, docs/sandbox.md).

Creates the integrator if needed and prints the new key as the LAST line of output: it is
shown once and never stored in plaintext.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kyb.tenancy.services import api_key_create, integrator_get_or_create


class Command(BaseCommand):
    help = "Create an API key for an integrator (created if missing); prints the key last."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--integrator", required=True, help="integrator name")
        parser.add_argument(
            "--scopes",
            default="read,write",
            help="comma-separated: read,write,admin (admin: manage keys via /api/v1/api-keys)",
        )
        parser.add_argument("--name", default="", help="a label for the key")
        parser.add_argument(
            "--sandbox",
            action="store_true",
            help="a sandbox key: sandbox data only, scripted outcomes, no outside calls "
            "(docs/sandbox.md)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        integrator = integrator_get_or_create(name=options["integrator"])
        try:
            key, new = api_key_create(
                integrator=integrator,
                scopes=scopes,
                name=options["name"],
                actor="cli",
                livemode=not options["sandbox"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"integrator: {integrator.name} ({integrator.id})\n"
            f"key prefix: {key.prefix}  scopes: {','.join(key.scopes)}"
            f"  mode: {'live' if key.livemode else 'sandbox'}\n"
            "Store this key now; it cannot be shown again:"
        )
        self.stdout.write(new.plaintext)
