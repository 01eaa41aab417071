from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrameworkConfig(AppConfig):
    name = "essaim.framework"
    label = "framework"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Référentiel de compétences")
