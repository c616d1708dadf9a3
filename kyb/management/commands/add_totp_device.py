"""``manage.py add_totp_device USERNAME [--name LABEL] [--replace]``.

Enrols a TOTP authenticator for a staff user and prints its ``otpauth://`` URL as the LAST line:
paste it into (or render it as a QR code for) an authenticator app. The secret is shown once.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Enrol a TOTP device for a user (admin 2-factor login); prints the otpauth URL last."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="authenticator", help="a label for the device")
        parser.add_argument(
            "--replace", action="store_true", help="delete the user's existing TOTP devices first"
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: options["username"]})
        except user_model.DoesNotExist as exc:
            raise CommandError(f"no user {options['username']!r}") from exc
        existing = TOTPDevice.objects.filter(user=user)
        if existing.exists() and not options["replace"]:
            raise CommandError("the user already has a TOTP device; use --replace to swap it")
        existing.delete()
        device = TOTPDevice.objects.create(user=user, name=options["name"], confirmed=True)
        self.stdout.write(
            f"TOTP device {device.name!r} enrolled for {user.get_username()}.\n"
            "Add this URL to an authenticator app now; it cannot be shown again:"
        )
        self.stdout.write(device.config_url)
