from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "essaim.catalogue"
    label = "catalogue"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Catalogue et parcours")
