from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "essaim.training"
    label = "training"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Sessions et inscriptions")
