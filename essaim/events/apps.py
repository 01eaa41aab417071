from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "essaim.events"
    verbose_name = _("Événements et partenaires")

    def ready(self) -> None:
        from essaim.events import rules  # noqa: F401 — registers the permissions
