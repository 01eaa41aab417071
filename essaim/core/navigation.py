"""The header menu and the site map, from one table.

At most seven top-level entries for any visitor, grouped by task; an entry is shown only to
the people whose request its page would grant (the same rules the views check), so that no
menu entry leads to a 403. The site map lists every entry the visitor may open, with the
footer's pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import rules
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from essaim.accounts import roles
from essaim.accounts.models import Role

MAX_TOP_LEVEL = 7

Allowed = Callable[[Any], bool]


def _everyone(user: Any) -> bool:
    return True


def _visitor(user: Any) -> bool:
    return not getattr(user, "is_authenticated", False)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _perm(name: str) -> Allowed:
    # rules' own permission set: the predicate the view checks, without the model backend's
    # permission queries on every page.
    def allowed(user: Any) -> bool:
        return _signed_in(user) and (bool(user.is_superuser) or rules.has_perm(name, user))

    return allowed


def _any_role(*names: str) -> Allowed:
    def allowed(user: Any) -> bool:
        return roles.is_programme_admin(user) or any(roles.has_role(user, name) for name in names)

    return allowed


_admin = _any_role()
_backoffice = _any_role(Role.ORGANISER, Role.LAB_COORDINATOR, Role.TRAINER)
_scheduler = _any_role(Role.ORGANISER, Role.LAB_COORDINATOR)


def _scoped_or_trainer(user: Any) -> bool:
    # reporting:internal shows a trainer the figures of the sessions they lead.
    return _scoped(user) or roles.has_role(user, Role.TRAINER)


def _scoped(user: Any) -> bool:
    # The internal figures' own rule: a lab coordinator counts once their lab has a region.
    from essaim.reporting.selectors import scope_for

    if _any_role(Role.ORGANISER)(user):
        return True
    return roles.has_role(user, Role.LAB_COORDINATOR) and not scope_for(user).is_empty


@dataclass(frozen=True, slots=True)
class Link:
    label: str | Promise
    url_name: str
    allowed: Allowed = _everyone


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    label: str | Promise
    links: tuple[Link, ...] = field(default_factory=tuple)


MENU: tuple[Section, ...] = (
    Section(
        "train",
        _("Se former"),
        (
            Link(_("Le parcours de formation"), "catalogue:path"),
            Link(_("Trouver une session"), "training:list"),
            Link(_("Le référentiel de compétences"), "framework:current"),
            Link(_("Vérifier une attestation"), "credentials:verify"),
        ),
    ),
    Section(
        "network",
        _("Réseau"),
        (
            Link(_("Annuaire des facilitateurs"), "network:directory", _signed_in),
            Link(_("Demander une animation"), "network:requests", _signed_in),
            Link(_("Laboratoires d’innovation"), "network:labs", _signed_in),
            Link(_("Événements"), "events:list"),
            Link(_("Délégation aux Rencontres"), "delegation:public"),
            Link(_("Partenaires"), "partners:list"),
            Link(_("Organisations"), "organisations:list"),
        ),
    ),
    Section(
        "library",
        _("Ressources"),
        (
            Link(_("Rechercher une ressource"), "library:list"),
            Link(_("Proposer une ressource"), "library:submit", _signed_in),
            Link(_("Mes contributions"), "library:mine", _signed_in),
            Link(_("Mes collections"), "library:collections", _signed_in),
            Link(_("File de modération"), "library:moderation", _perm("library.moderate_resource")),
        ),
    ),
    Section(
        "figures",
        _("Chiffres"),
        (
            Link(_("Tableau de bord"), "reporting:public"),
            Link(_("Rapport d’avancement OGP"), "reporting:progress"),
            Link(_("Données ouvertes"), "reporting:opendata"),
        ),
    ),
    Section(
        "mine",
        _("Mon espace"),
        (
            Link(_("Mes inscriptions"), "training:mine", _signed_in),
            Link(_("Mon parcours"), "record:record", _signed_in),
            Link(_("Mes attestations"), "credentials:mine", _signed_in),
            Link(_("Ma pratique"), "practice:list", _signed_in),
            Link(_("Ma fiche dans l’annuaire"), "network:my-profile", _signed_in),
            Link(_("Invitations à co-animer"), "network:invitations", _signed_in),
            Link(_("Mes propositions de pilote"), "network:my-proposals", _signed_in),
            Link(_("Ma candidature aux Rencontres"), "delegation:mine", _signed_in),
            Link(_("Mon compte"), "accounts:profile", _signed_in),
        ),
    ),
    Section(
        "backoffice",
        _("Pilotage"),
        (
            Link(_("Sessions"), "training_admin:list", _backoffice),
            Link(_("Programmer une session"), "training:schedule", _scheduler),
            Link(_("Planification annuelle"), "training_admin:planning", _admin),
            Link(_("Événements"), "events_admin:list", _perm("events.add_event")),
            Link(_("Attestations"), "credentials:backoffice", _backoffice),
            Link(_("Chiffres de mon périmètre"), "reporting:internal", _scoped_or_trainer),
            Link(_("Résultats des enquêtes"), "surveys:results", _scoped),
            Link(_("Compétences à couvrir"), "network:gaps", _perm("network.view_gaps")),
            Link(_("Mobilité des facilitateurs"), "network:turnover", _perm("network.view_turnover")),
            Link(_("Délégation aux Rencontres"), "delegation:backoffice", _perm("delegation.manage_call")),
            Link(_("Importer un référentiel"), "framework:import", _perm("framework.import_framework")),
            Link(_("Journal d’audit"), "core:audit-log", _perm("core.view_auditlog")),
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class MenuLink:
    label: str
    url: str
    url_name: str
    current: bool


@dataclass(frozen=True, slots=True)
class MenuSection:
    key: str
    label: str
    links: tuple[MenuLink, ...]
    current: bool


def menu_for(*, user: Any, path: str, menu: Sequence[Section] = MENU) -> list[MenuSection]:
    """The sections `user` sees, each with the links they may open; a section left empty
    is not shown."""
    sections = []
    for section in menu:
        links = tuple(
            MenuLink(
                label=str(link.label), url=(url := reverse(link.url_name)), url_name=link.url_name, current=path == url
            )
            for link in section.links
            if link.allowed(user)
        )
        if links:
            sections.append(
                MenuSection(
                    key=section.key, label=str(section.label), links=links, current=any(link.current for link in links)
                )
            )
    return sections


def menu_key(sections: Sequence[MenuSection]) -> str:
    """What the rendered menu depends on besides the language and the page: which links."""
    return ",".join(link.url_name for section in sections for link in section.links)
