from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "essaim.credentials"
    label = "credentials"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Attestations et badges")

    def ready(self) -> None:
        from essaim.credentials import rules  # noqa: F401 - registers the permissions
