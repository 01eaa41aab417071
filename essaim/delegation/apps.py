from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegationConfig(AppConfig):
    name = "essaim.delegation"
    label = "delegation"
    verbose_name = _("Délégation aux Rencontres")

    def ready(self) -> None:
        from essaim.delegation import rules  # noqa: F401  (registers the delegation's permissions)
