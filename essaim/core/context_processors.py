from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from essaim.accounts import roles
from essaim.core.navigation import menu_for, menu_key

#: Replaces django-dsfr's database-backed SiteConfig: no query on every page.
SITE_CONFIG = {
    "site_title": "Essaim",
    "site_tagline": _("Facilitation, intelligence collective et participation citoyenne dans la fonction publique"),
    "footer_description": _(
        "Essaim forme les agents publics à la facilitation, fait vivre le réseau des personnes "
        "formées et partage les méthodes et outils du gouvernement ouvert (engagement FR0111 du "
        "Partenariat pour un gouvernement ouvert)."
    ),
    # The RGAA 4.1 self-assessment (essaim/core/rgaa.py): above 50 % and below 100 %.
    "accessibility_status": _("partiellement conforme"),
    # The host of the production service (name, address, telephone), as the law on the
    # digital economy (LCEN, art. 6) asks: settings.LEGAL_HOSTING, set at deployment.
    "hosting": getattr(settings, "LEGAL_HOSTING", ""),
    # Keys django-dsfr's base template reads; kept explicit so undefined variables stay errors.
    "mourning": False,
    "notice_title": "",
    "notice_description": "",
    "notice_link": "",
    "notice_type": "",
    "notice_icon_class": "",
    "notice_is_collapsible": False,
}


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    main_menu = menu_for(user=user, path=request.path)
    return {
        "main_menu": main_menu,
        "main_menu_key": menu_key(main_menu),
        "SITE_CONFIG": SITE_CONFIG,
        "PROCONNECT_ENABLED": settings.PROCONNECT_ENABLED,
        "PASSWORD_LOGIN_ENABLED": settings.PASSWORD_LOGIN_ENABLED,
        "is_programme_admin": roles.is_programme_admin(user),
        # Back office: programme admins, organisers, lab coordinators and trainers.
        "can_schedule": roles.is_programme_admin(user)
        or any(held.role in {"organiser", "lab_coordinator"} for held in roles.held_roles(user)),
        "has_backoffice": roles.is_programme_admin(user)
        or any(held.role in {"organiser", "lab_coordinator", "trainer"} for held in roles.held_roles(user)),
        "skiplinks": [
            {"link": "#content", "label": _("Contenu")},
            {"link": "#fr-navigation", "label": _("Menu")},
            {"link": "#footer", "label": _("Pied de page")},
        ],
    }
