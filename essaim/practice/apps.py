from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticeConfig(AppConfig):
    name = "essaim.practice"
    label = "practice"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Journal de pratique")
