from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "essaim.surveys"
    label = "surveys"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Enquêtes d’évaluation")
