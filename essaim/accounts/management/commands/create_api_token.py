from django.core.management.base import BaseCommand, CommandError

from essaim.accounts.models import User
from essaim.accounts.services import api_token_create
from essaim.core.exceptions import ServiceError


class Command(BaseCommand):
    help = "Create a personal API token for an existing account and print it (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="Jeton créé en ligne de commande")

    def handle(self, *args, email, name, **options):
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(f"No account with e-mail {email!r}.")
        if not user.is_active:
            raise CommandError(f"The account {email!r} is deactivated.")
        try:
            _token, secret = api_token_create(user=user, name=name, acting_user=user)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(secret)
