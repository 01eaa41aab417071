"""Rotate the credentials signing key: a new key signs from now on, the old ones stay
published (JWKS) so what they signed still verifies. `--retire KID` withdraws a key."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from essaim.core.exceptions import ServiceError
from essaim.credentials.services import signing_key_retire, signing_key_rotate


class Command(BaseCommand):
    help = "Generate a new credentials signing key (old keys stay in the JWKS), or retire one with --retire KID."

    def add_arguments(self, parser):
        parser.add_argument("--retire", metavar="KID", help="withdraw this key from the JWKS")

    def handle(self, *args, **options):
        try:
            if options["retire"]:
                row = signing_key_retire(kid=options["retire"])
                self.stdout.write(f"retired {row.kid}")
            else:
                row = signing_key_rotate()
                self.stdout.write(f"current key {row.kid}")
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
