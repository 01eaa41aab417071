from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "essaim.reporting"
    label = "reporting"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Pilotage et transparence")
