"""The key pages audited for accessibility: one list read by the accessibility sweep
(tests/browser/test_accessibility_sweep.py, axe-core in Chromium) and by the declaration
page (/accessibilite/), so the declaration names exactly the pages the tests check.

Adding a page is one line in KEY_PAGES. A URL argument names a sample object
(`args={"pk": "session"}`): the sweep fills it from the demo data (`_samples()` in the test),
the declaration shows the URL pattern instead. Other named URLs go in NOT_AUDITED, with the
reason they render no page of their own.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from django.urls import get_resolver
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ANONYMOUS = "anonymous"
AGENT = "agent"
TRAINER = "trainer"
ORGANISER = "organiser"
ADMIN = "admin"

ROLE_LABELS: dict[str, Promise] = {
    ANONYMOUS: _("visiteur non connecté"),
    AGENT: _("agent"),
    TRAINER: _("formatrice ou formateur"),
    ORGANISER: _("organisatrice ou organisateur"),
    ADMIN: _("équipe du programme"),
}

# Version of axe-core vendored by axe-playwright-python (requirements/dev.txt); the
# sweep checks that it is still the one running, so the declaration cannot drift.
AXE_CORE_VERSION = "4.12.1"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
MOBILE_WIDTH = 375
DECLARATION_DATE = dt.date(2026, 11, 27)


@dataclass(frozen=True)
class KeyPage:
    capability: Promise
    label: Promise
    url_name: str
    role: str
    kwargs: dict[str, str] = field(default_factory=dict)
    query: str = ""
    mobile: bool = False
    status: int = 200

    @property
    def pattern(self) -> str:
        """The URL as a person reads it, arguments shown as <name>."""
        for route, params in _patterns().get(self.url_name, []):
            if set(params) == set(self.kwargs):
                return (
                    "/"
                    + route.replace("\\", "").replace("%(", "<").replace(")s", ">")
                    + (f"?{self.query}" if self.query else "")
                )
        return self.url_name


@functools.cache
def _patterns() -> dict[str, list[tuple[str, list[str]]]]:
    reverse_dict = get_resolver().reverse_dict
    table: dict[str, list[tuple[str, list[str]]]] = {}
    resolver = get_resolver()
    for namespace, (prefix, sub) in resolver.namespace_dict.items():
        for name in sub.reverse_dict:
            if isinstance(name, str):
                for possibility, _pattern, _defaults, _converters in sub.reverse_dict.getlist(name):
                    for route, params in possibility:
                        table.setdefault(f"{namespace}:{name}", []).append((prefix.lstrip("^") + route, params))
    for name in reverse_dict:
        if isinstance(name, str):
            for possibility, _pattern, _defaults, _converters in reverse_dict.getlist(name):
                for route, params in possibility:
                    table.setdefault(name, []).append((route, params))
    return table


def page(
    capability: Promise,
    label: Promise,
    url_name: str,
    role: str,
    *,
    query: str = "",
    mobile: bool = False,
    status: int = 200,
    args: dict[str, str] | None = None,
) -> KeyPage:
    """One row of the table; `args` maps each URL argument to a sample object's name."""
    return KeyPage(capability, label, url_name, role, kwargs=args or {}, query=query, mobile=mobile, status=status)


CORE = _("Socle")
ACCOUNTS = _("Comptes")
CATALOGUE = _("Catalogue")
TRAINING = _("Formations et sessions")
FRAMEWORK = _("Référentiel")
PRACTICE = _("Journal de pratique")
CREDENTIALS = _("Attestations et badges")
LIBRARY = _("Ressources")
NETWORK = _("Réseau")
SURVEYS = _("Enquêtes")
REPORTING = _("Pilotage et données")
EVENTS = _("Événements et partenaires")
DELEGATION = _("Délégation aux Rencontres")

# fmt: off
KEY_PAGES: list[KeyPage] = [
    page(CORE, _("Accueil"), "core:home", ANONYMOUS, mobile=True),
    page(CORE, _("Accueil"), "core:home", AGENT, mobile=True),
    page(CORE, _("Déclaration d’accessibilité"), "footer-accessibility-status", ANONYMOUS, mobile=True),
    page(CORE, _("Mentions légales"), "footer-legal-notice", ANONYMOUS),
    page(CORE, _("Données personnelles"), "footer-personal-data", ANONYMOUS),
    page(CORE, _("Plan du site"), "footer-sitemap", ANONYMOUS),
    page(CORE, _("Gestion des cookies"), "footer-cookie-management", ANONYMOUS),
    page(CORE, _("Journal d’audit"), "core:audit-log", ADMIN),
    page(CORE, _("Page « accès refusé » (403)"), "core:audit-log", AGENT, status=403),
    page(CORE, _("Page « introuvable » (404)"), "library:detail", AGENT, status=404, args={"pk": "missing"}),
    page(ACCOUNTS, _("Connexion"), "accounts:login", ANONYMOUS, mobile=True),
    page(ACCOUNTS, _("Lien de connexion envoyé"), "accounts:magic-link-sent", ANONYMOUS),
    page(ACCOUNTS, _("Lien de connexion"), "accounts:magic-link", ANONYMOUS, args={"token": "magic_link"}),
    page(
        ACCOUNTS,
        _("Relier une identité ProConnect"),
        "accounts:proconnect-link",
        ANONYMOUS,
        args={"token": "magic_link"},
    ),
    page(ACCOUNTS, _("Déconnexion terminée"), "accounts:logged-out", ANONYMOUS),
    page(ACCOUNTS, _("Mon compte"), "accounts:profile", AGENT, mobile=True),
    page(ACCOUNTS, _("Jetons d’API"), "accounts:api-tokens", AGENT),
    page(ACCOUNTS, _("Mes données"), "accounts:my-data", AGENT, mobile=True),
    page(ACCOUNTS, _("Organisations"), "organisations:list", ANONYMOUS),
    page(ACCOUNTS, _("Fiche d’une organisation"), "organisations:detail", ANONYMOUS, args={"slug": "organisation"}),
    page(ACCOUNTS, _("Membres d’une organisation"), "organisations:members", ORGANISER, args={"slug": "organiser_organisation"}),  # noqa: E501
    page(ACCOUNTS, _("Modifier une organisation"), "organisations:edit", ADMIN, args={"slug": "organisation"}),
    page(FRAMEWORK, _("Référentiel en vigueur"), "framework:current", ANONYMOUS, mobile=True),
    page(FRAMEWORK, _("Version du référentiel"), "framework:detail", ADMIN, args={"version": "framework"}),
    page(FRAMEWORK, _("Importer un référentiel"), "framework:import", ADMIN),
    page(CATALOGUE, _("Parcours de formation"), "catalogue:path", ANONYMOUS, mobile=True),
    page(CATALOGUE, _("Parcours de formation"), "catalogue:path", AGENT, mobile=True),
    page(CATALOGUE, _("Fiche d’une formation"), "catalogue:detail", AGENT, mobile=True, args={"code": "course"}),
    page(TRAINING, _("Sessions à venir"), "training:list", ANONYMOUS, mobile=True),
    page(TRAINING, _("Sessions à venir, filtrées"), "training:list", AGENT, query="region=53", mobile=True),
    page(TRAINING, _("Page d’une session"), "training:detail", AGENT, mobile=True, args={"pk": "session"}),
    page(TRAINING, _("Mes inscriptions"), "training:mine", AGENT, mobile=True),
    page(TRAINING, _("Pointage par QR code (agent)"), "training:check-in", AGENT, mobile=True, args={"token": "checkin"}),  # noqa: E501
    page(TRAINING, _("Programmer une session"), "training:schedule", ORGANISER),
    page(TRAINING, _("Sessions (pilotage)"), "training_admin:list", ORGANISER),
    page(TRAINING, _("Planification"), "training_admin:planning", ADMIN),
    page(TRAINING, _("Session (pilotage)"), "training_admin:detail", ORGANISER, args={"pk": "managed_session"}),
    page(TRAINING, _("Message aux inscrits"), "training_admin:message", ORGANISER, args={"pk": "managed_session"}),
    page(TRAINING, _("Changement de lieu"), "training_admin:venue", ORGANISER, args={"pk": "managed_session"}),
    page(TRAINING, _("Modifier une session"), "training_admin:edit", ORGANISER, args={"pk": "managed_session"}),
    page(TRAINING, _("Calendrier de session"), "training_admin:timetable", ORGANISER, args={"pk": "managed_session"}),
    page(TRAINING, _("Formateurs d’une session"), "training_admin:trainers", ORGANISER, args={"pk": "managed_session"}),
    page(TRAINING, _("Feuille de présence (téléphone)"), "training_admin:attendance", TRAINER, mobile=True, args={"pk": "trainer_session"}),  # noqa: E501
    page(TRAINING, _("Code QR de pointage"), "training_admin:checkin-code", TRAINER, args={"pk": "trainer_session", "slot_pk": "trainer_slot"}),  # noqa: E501
    page(PRACTICE, _("Journal de pratique"), "practice:list", AGENT, mobile=True),
    page(PRACTICE, _("Corriger un atelier"), "practice:edit", AGENT, args={"pk": "practice_entry"}),
    page(CREDENTIALS, _("Mes attestations"), "credentials:mine", AGENT, mobile=True),
    page(CREDENTIALS, _("Mon parcours"), "record:record", AGENT, mobile=True),
    page(CREDENTIALS, _("Vérifier une attestation"), "credentials:verify", ANONYMOUS, mobile=True),
    page(CREDENTIALS, _("Résultat d’une vérification"), "credentials:verify-code", ANONYMOUS, mobile=True, args={"code": "credential"}),  # noqa: E501
    page(CREDENTIALS, _("Attestations (pilotage)"), "credentials:backoffice", ADMIN),
    page(CREDENTIALS, _("Révoquer une attestation"), "credentials:revoke", ADMIN, args={"code": "credential"}),
    page(LIBRARY, _("Recherche de ressources"), "library:list", ANONYMOUS, mobile=True),
    page(LIBRARY, _("Résultats d’une recherche"), "library:list", AGENT, query="q=atelier", mobile=True),
    page(LIBRARY, _("Fiche d’une ressource"), "library:detail", AGENT, mobile=True, args={"pk": "resource"}),
    page(LIBRARY, _("Proposer une ressource"), "library:submit", AGENT),
    page(LIBRARY, _("Mes contributions"), "library:mine", AGENT),
    page(LIBRARY, _("Collections"), "library:collections", AGENT),
    page(LIBRARY, _("Une collection"), "library:collection", AGENT, args={"pk": "collection"}),
    page(LIBRARY, _("Modifier une ressource"), "library:edit", ADMIN, args={"pk": "resource"}),
    page(LIBRARY, _("Modération"), "library:moderation", ADMIN),
    page(LIBRARY, _("Examiner une ressource"), "library:review", ADMIN, args={"pk": "resource"}),
    page(NETWORK, _("Annuaire"), "network:directory", AGENT, mobile=True),
    page(NETWORK, _("Fiche d’une personne"), "network:person", AGENT, mobile=True, args={"pk": "profile"}),
    page(NETWORK, _("Ma fiche"), "network:my-profile", AGENT, mobile=True),
    page(NETWORK, _("Parcours de formateur"), "network:trainer", TRAINER, args={"pk": "trainer"}),
    page(NETWORK, _("Demandes d’animation"), "network:requests", AGENT),
    page(NETWORK, _("Une demande d’animation"), "network:request", AGENT, args={"pk": "facilitation_request"}),
    page(NETWORK, _("Mes invitations"), "network:invitations", AGENT, mobile=True),
    page(NETWORK, _("Lacunes du réseau"), "network:gaps", ADMIN),
    page(NETWORK, _("Laboratoires"), "network:labs", ANONYMOUS),
    page(NETWORK, _("Un laboratoire"), "network:lab", ANONYMOUS, args={"slug": "lab"}),
    page(SURVEYS, _("Répondre à une enquête"), "surveys:answer", AGENT, mobile=True, args={"token": "survey"}),
    page(SURVEYS, _("Résultats des enquêtes"), "surveys:results", ADMIN),
    page(SURVEYS, _("Résultats d’une enquête"), "surveys:survey_results", ADMIN, args={"pk": "survey_id"}),
    page(REPORTING, _("Tableau de bord public"), "reporting:public", ANONYMOUS, mobile=True),
    page(REPORTING, _("Rapport d’avancement OGP"), "reporting:progress", ANONYMOUS),
    page(REPORTING, _("Données ouvertes"), "reporting:opendata", ANONYMOUS),
    page(REPORTING, _("Tableau de bord interne"), "reporting:internal", ORGANISER),
    page(REPORTING, _("Tableau de bord interne"), "reporting:internal", ADMIN),
    page(NETWORK, _("Pilotes d’un laboratoire"), "network:pilots", AGENT, args={"slug": "lab"}),
    page(NETWORK, _("Proposer une solution à un laboratoire"), "network:pilot-propose", AGENT, args={"slug": "lab"}),
    page(NETWORK, _("Un pilote"), "network:pilot", AGENT, mobile=True, args={"slug": "pilot_lab", "pk": "pilot"}),
    page(NETWORK, _("Un pilote (équipe du programme)"), "network:pilot", ADMIN, args={"slug": "pilot_lab", "pk": "pilot"}),  # noqa: E501
    page(NETWORK, _("Mes propositions"), "network:my-proposals", AGENT),
    page(NETWORK, _("Mobilité des personnes formées"), "network:turnover", ADMIN),
    page(EVENTS, _("Événements"), "events:list", ANONYMOUS, mobile=True),
    page(EVENTS, _("Page d’un événement"), "events:detail", AGENT, mobile=True, args={"slug": "event"}),
    page(EVENTS, _("Événements (pilotage)"), "events_admin:list", ADMIN),
    page(EVENTS, _("Créer un événement"), "events_admin:create", ADMIN),
    page(EVENTS, _("Modifier un événement"), "events_admin:edit", ADMIN, args={"pk": "event_id"}),
    page(EVENTS, _("Partenaires de la société civile"), "partners:list", ANONYMOUS, mobile=True),
    page(EVENTS, _("Page d’un partenaire"), "partners:detail", ANONYMOUS, args={"slug": "partner"}),
    page(EVENTS, _("Partenaires d’une session"), "training_admin:partners", ORGANISER, args={"pk": "managed_session"}),
    page(DELEGATION, _("Délégation aux Rencontres"), "delegation:public", ANONYMOUS, mobile=True),
    page(DELEGATION, _("Ma candidature"), "delegation:mine", AGENT, mobile=True),
    page(DELEGATION, _("Appels (pilotage)"), "delegation:backoffice", ADMIN),
    page(DELEGATION, _("Un appel (pilotage)"), "delegation:call", ADMIN, args={"pk": "call"}),
    page(DELEGATION, _("Sélection de la délégation"), "delegation:selection", ADMIN, args={"pk": "call"}),
]
# fmt: on


def key_pages_by_capability() -> list[tuple[Promise, list[KeyPage]]]:
    """The declaration's list: one entry per capability, pages in table order."""
    groups: dict[str, tuple[Promise, list[KeyPage]]] = {}
    for key_page in KEY_PAGES:
        groups.setdefault(str(key_page.capability), (key_page.capability, []))[1].append(key_page)
    return list(groups.values())


# Every named URL is either a key page above or here, with the reason it renders no HTML
# page of its own (tests/core/test_accessibility_pages.py walks the resolver).
POST_ONLY = "POST only: acts, then redirects to a page of the table"
FILE = "a file or a machine-readable document, not an HTML page"
REDIRECT = "redirects to another site or page"
NOT_AUDITED: dict[str, str] = {
    "core:healthz": FILE,
    "metrics": FILE,
    "set_language": REDIRECT,
    "javascript-catalog": FILE,
    "accounts:proconnect-login": REDIRECT,
    "accounts:proconnect-callback": REDIRECT,
    "accounts:logout": POST_ONLY,
    "accounts:my-data-download": FILE,
    "accounts:my-data-erase": POST_ONLY,
    "accounts:api-token-revoke": POST_ONLY,
    "framework:export-json": FILE,
    "framework:export-csv": FILE,
    "framework:publish": POST_ONLY,
    "framework:new-draft": POST_ONLY,
    "training:register": POST_ONLY,
    "training:cancel": POST_ONLY,
    "training:accept-offer": POST_ONLY,
    "training_admin:export": FILE,
    "training_admin:capacity": POST_ONLY,
    "training_admin:cancel": POST_ONLY,
    "training_admin:close": POST_ONLY,
    "training_admin:approve": POST_ONLY,
    "training_admin:decline": POST_ONLY,
    "training_admin:cancel-registration": POST_ONLY,
    "training_admin:move": POST_ONLY,
    "network:cofacilitation-declare": POST_ONLY,
    "network:cofacilitation-confirm": POST_ONLY,
    "network:invitation-answer": POST_ONLY,
    "network:invitation-done": POST_ONLY,
    "credentials:issuer": FILE + " (Open Badges issuer profile, JSON-LD)",
    "credentials:achievement": FILE + " (Open Badges achievement, JSON)",
    "credentials:jwks": FILE,
    "credentials:key": FILE,
    "credentials:multikey": FILE,
    "practice:delete": POST_ONLY,
    "training_admin:approve-many": POST_ONLY,
    "training_admin:publish": POST_ONLY,
    "training_admin:unpublish": POST_ONLY,
    "training:calendar": FILE,
    "training:calendar-feed": FILE,
    "training:calendar-feed-manage": "POST only: renders « Mes inscriptions » (a key page) with the new address",
    "credentials:status-list": FILE,
    "credentials:session-zip": FILE,
    "credentials:pdf": FILE,
    "credentials:json": FILE,
    "credentials:jwt": FILE,
    "record:record-json": FILE,
    "record:record-pdf": FILE,
    "library:collection-add": POST_ONLY,
    "library:report": POST_ONLY,
    "library:feedback": POST_ONLY,
    "library:file": FILE,
    "reporting:public_export": FILE,
    "reporting:progress_pdf": FILE,
    "reporting:internal_export": FILE,
    "reporting:datagouv": FILE,
    "reporting:dataset_csv": FILE,
    "reporting:dataset_schema": FILE,
    "network:pilot-decide": POST_ONLY,
    "network:pilot-advance": POST_ONLY,
    "network:pilot-member": POST_ONLY,
    "network:pilot-describe": POST_ONLY,
    "network:pilot-workshop": POST_ONLY,
    "network:pilot-workshop-held": POST_ONLY,
    "network:pilot-publish": POST_ONLY,
    "events:register": POST_ONLY,
    "delegation:withdraw": POST_ONLY,
    "delegation:call-status": POST_ONLY,
    "delegation:call-report": POST_ONLY,
    "delegation:decide": POST_ONLY,
    "delegation:publish": POST_ONLY,
}
# Whole namespaces left out of the sweep, with the reason.
NOT_AUDITED_NAMESPACES: dict[str, str] = {
    "admin": "Django admin: programme admins' technical back office, not a public service page",
    "api-1": "REST API: JSON for programs; its generated documentation page is a developer tool",
}
