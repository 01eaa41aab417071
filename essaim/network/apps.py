from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "essaim.network"
    label = "network"
    verbose_name = _("Réseau")

    def ready(self) -> None:
        from essaim.network import rules  # noqa: F401  (registers the network's permissions)
