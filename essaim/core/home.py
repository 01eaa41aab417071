"""The home page of each audience: what the person has to do now, read from the apps'
own selectors. Every panel is bounded (a few rows and a link to the full page), so the
page costs a fixed number of queries whatever the data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from essaim.accounts import roles
from essaim.accounts.models import Role
from essaim.core.templatetags.essaim_ui import fr_date

ROWS = 4


@dataclass(frozen=True, slots=True)
class Item:
    label: str
    url: str
    detail: str = ""
    badge: str = ""  # a short status (« Place proposée »), shown as a DSFR badge
    translated: bool = False  # a sentence in the page's language, not French content (no lang="fr")


@dataclass(frozen=True, slots=True)
class Panel:
    key: str
    title: str
    items: list[Item]
    empty: str
    more_url: str = ""
    more_label: str = ""


@dataclass(slots=True)
class HomePage:
    panels: list[Panel] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)


def _session_when(session: Any) -> str:
    return fr_date(timezone.localtime(session.starts_at)) if session.starts_at else _("date à venir")


def _agent_panels(user: Any, now: dt.datetime) -> list[Panel]:
    from essaim.catalogue.selectors import learning_path
    from essaim.credentials.selectors import credential_list_for_user
    from essaim.surveys.models import Invitation
    from essaim.training.models import Registration
    from essaim.training.selectors import registration_list_for_user

    upcoming = (
        registration_list_for_user(user=user)
        .filter(
            status__in=[
                Registration.Status.OFFERED,
                Registration.Status.BOOKED,
                Registration.Status.REQUESTED,
                Registration.Status.WAITLISTED,
            ],
            session__starts_at__gte=now,
        )
        .order_by("session__starts_at")[:ROWS]
    )
    sessions = []
    for registration in upcoming:
        detail = _session_when(registration.session)
        if registration.status == Registration.Status.OFFERED and registration.offered_until:
            detail = _("%(when)s — répondez avant le %(deadline)s") % {
                "when": detail,
                "deadline": fr_date(timezone.localtime(registration.offered_until), with_time=True),
            }
        sessions.append(
            Item(
                label=registration.session.course.title,
                url=reverse("training:mine"),
                detail=detail,
                badge=registration.get_status_display(),
            )
        )
    path = learning_path(user=user)
    step = next((s for s in path if s.state != "completed"), None)
    steps = []
    if step is not None:
        steps.append(
            Item(
                label=step.course.title,
                url=reverse("catalogue:detail", args=[step.course.code]),
                detail=ngettext(
                    "%(n)s session ouverte à l’inscription",
                    "%(n)s sessions ouvertes à l’inscription",
                    step.upcoming_sessions,
                )
                % {"n": step.upcoming_sessions}
                if step.state == "open"
                else _("Accessible après les étapes précédentes du parcours"),
            )
        )
    done = sum(1 for s in path if s.state == "completed")
    todo = [
        Item(
            label=_("Répondre à l’enquête « %(survey)s »") % {"survey": invitation.survey.title},
            url=reverse("surveys:answer", args=[invitation.token]),
            detail=_("Envoyée le %(date)s") % {"date": fr_date(timezone.localtime(invitation.sent_at))},
        )
        for invitation in Invitation.objects.filter(user=user, answered_at=None)
        .select_related("survey")
        .order_by("-sent_at")[:ROWS]
    ]
    credentials = [
        Item(
            label=credential.completion.session.course.title,
            url=reverse("credentials:mine"),
            detail=_("Délivrée le %(date)s") % {"date": fr_date(timezone.localtime(credential.issued_at))},
        )
        for credential in credential_list_for_user(user=user).select_related("completion__session__course")[:ROWS]
    ]
    return [
        Panel(
            "sessions",
            _("Mes prochaines sessions"),
            sessions,
            _("Aucune session à venir."),
            reverse("training:list"),
            _("Trouver une session"),
        ),
        Panel(
            "path",
            _("Mon parcours"),
            steps,
            _("Vous avez suivi toutes les étapes du parcours."),
            reverse("record:record"),
            ngettext("%(n)s étape suivie : voir mon parcours", "%(n)s étapes suivies : voir mon parcours", done)
            % {"n": done},
        ),
        Panel("todo", _("À faire"), todo, _("Aucune enquête en attente de réponse.")),
        Panel(
            "credentials",
            _("Mes attestations"),
            credentials,
            _("Pas encore d’attestation : elle est délivrée à la fin d’une formation suivie en entier."),
            reverse("credentials:mine"),
            _("Toutes mes attestations"),
        ),
    ]


def _backoffice_panels(user: Any, now: dt.datetime) -> list[Panel]:
    from essaim.training.backoffice_selectors import managed_session_list

    panels = []
    if (
        roles.is_programme_admin(user)
        or roles.has_role(user, Role.ORGANISER)
        or roles.has_role(user, Role.LAB_COORDINATOR)
    ):
        # Annotated rows (seats_held, waiting, pending: backoffice_selectors._with_counts).
        sessions: list[Any] = list(managed_session_list(user=user, period="upcoming")[: ROWS * 2])
        # What needs an action first: requests to approve, then the sessions starting soonest.
        sessions.sort(key=lambda s: (-(s.pending or 0), s.starts_at or now))
        items = [
            Item(
                label=f"{session.course.title} — {_session_when(session)}",
                url=reverse("training_admin:detail", args=[session.pk]),
                detail=ngettext("%(n)s place prise sur %(cap)s", "%(n)s places prises sur %(cap)s", session.seats_held)
                % {"n": session.seats_held, "cap": session.capacity},
                badge=ngettext("%(n)s demande à valider", "%(n)s demandes à valider", session.pending)
                % {"n": session.pending}
                if session.pending
                else "",
            )
            for session in sessions[:ROWS]
        ]
        panels.append(
            Panel(
                "managed",
                _("Sessions à suivre"),
                items,
                _("Aucune session à venir dans votre périmètre."),
                reverse("training_admin:list"),
                _("Toutes les sessions"),
            )
        )
    if roles.has_role(user, Role.TRAINER):
        from essaim.training.models import Session

        led = (
            Session.objects.filter(trainers=user, ends_at__gte=now)
            .exclude(status__in=[Session.Status.DRAFT, Session.Status.CANCELLED])
            .select_related("course")
            .order_by("starts_at")[:ROWS]
        )
        panels.append(
            Panel(
                "trainer",
                _("Mes sessions à animer"),
                [
                    Item(
                        label=f"{session.course.title} — {_session_when(session)}",
                        url=reverse("training_admin:attendance", args=[session.pk]),
                        detail=_("Feuille de présence"),
                        badge=_("Aujourd’hui")
                        if session.starts_at and timezone.localdate(session.starts_at) <= timezone.localdate(now)
                        else "",
                    )
                    for session in led
                ],
                _("Aucune session à animer prochainement."),
                reverse("training_admin:list"),
                _("Toutes mes sessions"),
            )
        )
    return panels


def _lab_panels(user: Any) -> list[Panel]:
    from essaim.network.models import Pilot
    from essaim.organisations.models import Organisation

    labs = list(Organisation.objects.filter(pk__in=roles.scopes(user, Role.LAB_COORDINATOR)).order_by("name")[:ROWS])
    if not labs:
        return []
    pilots = (
        Pilot.objects.filter(lab__in=labs)
        .exclude(status__in=[Pilot.Status.DECLINED, Pilot.Status.DONE])
        .select_related("lab")
        .order_by("-pk")[:ROWS]
    )
    return [
        Panel(
            "lab",
            _("Mon laboratoire"),
            [Item(label=lab.name, url=reverse("network:lab", args=[lab.slug])) for lab in labs],
            "",
        ),
        Panel(
            "pilots",
            _("Pilotes en cours et propositions"),
            [
                Item(
                    label=pilot.title,
                    url=reverse("network:pilot", args=[pilot.lab.slug, pilot.pk]),
                    badge=pilot.get_status_display(),
                )
                for pilot in pilots
            ],
            _("Aucun pilote en cours."),
            reverse("network:pilots", args=[labs[0].slug]),
            _("Tous les pilotes"),
        ),
    ]


def _partner_panels(user: Any) -> list[Panel]:
    from essaim.library.selectors import contributions_of

    return [
        Panel(
            "contributions",
            _("Mes contributions à la bibliothèque"),
            [
                Item(label=resource.title, url=resource.get_absolute_url(), badge=resource.get_status_display())
                for resource in contributions_of(user)[:ROWS]
            ],
            _("Aucune contribution pour l’instant."),
            reverse("library:submit"),
            _("Proposer une ressource"),
        )
    ]


def _admin_panels() -> list[Panel]:
    from essaim.library.selectors import moderation_queue, open_reports

    queue = list(moderation_queue()[:ROWS])
    reports = open_reports().count()
    items = [
        Item(label=resource.title, url=reverse("library:review", args=[resource.pk]), badge=_("À relire"))
        for resource in queue
    ]
    if reports:
        items.append(
            Item(
                label=ngettext("%(n)s signalement à traiter", "%(n)s signalements à traiter", reports) % {"n": reports},
                url=reverse("library:moderation"),
                translated=True,
            )
        )
    return [
        Panel(
            "moderation",
            _("File de modération"),
            items,
            _("Rien à relire : la file est vide."),
            reverse("library:moderation"),
            _("Ouvrir la file de modération"),
        ),
        _alerts_panel(reports),
    ]


ALERT_DAYS = 14


def _alerts_panel(reports: int) -> Panel:
    """What has gone wrong or will, each a sentence and a link, from existing data: three
    counting queries (the open reports are counted by the moderation panel)."""
    from essaim.core.models import OutboxMessage
    from essaim.training.backoffice_selectors import introduction_planning
    from essaim.training.models import Session

    now = timezone.now()
    alerts = []
    failed = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count()
    if failed:
        alerts.append(
            Item(
                label=ngettext(
                    "%(n)s message n’a pas pu être envoyé après toutes les tentatives",
                    "%(n)s messages n’ont pas pu être envoyés après toutes les tentatives",
                    failed,
                )
                % {"n": failed},
                url=reverse("admin:core_outboxmessage_changelist") + "?status__exact=failed",
                translated=True,
            )
        )
    if reports:
        alerts.append(
            Item(
                label=ngettext(
                    "%(n)s ressource signalée par des lecteurs attend une décision",
                    "%(n)s ressources signalées par des lecteurs attendent une décision",
                    reports,
                )
                % {"n": reports},
                url=reverse("library:moderation"),
                translated=True,
            )
        )
    untrained = (
        Session.objects.trainings()
        .exclude(status__in=[Session.Status.CANCELLED, Session.Status.DONE])
        .filter(starts_at__gte=now, starts_at__lt=now + dt.timedelta(days=ALERT_DAYS), trainers=None)
        .count()
    )
    if untrained:
        alerts.append(
            Item(
                label=ngettext(
                    "%(n)s session commence dans moins de %(days)s jours sans formateur",
                    "%(n)s sessions commencent dans moins de %(days)s jours sans formateur",
                    untrained,
                )
                % {"n": untrained, "days": ALERT_DAYS},
                url=reverse("training_admin:list"),
                translated=True,
            )
        )
    current = next((plan for plan in introduction_planning() if plan.is_current), None)
    if current is not None and current.lacks_introduction:
        alerts.append(
            Item(
                label=_("Aucune session de la formation d’introduction n’est publiée ce trimestre"),
                url=reverse("training_admin:planning"),
                translated=True,
            )
        )
    return Panel("alerts", _("Alertes"), alerts, _("Aucune alerte."))


def _events_panel(now: dt.datetime) -> Panel:
    from essaim.events.selectors import event_list

    return Panel(
        "events",
        _("Prochains événements"),
        [
            Item(
                label=event.title, url=reverse("events:detail", args=[event.slug]), detail=_session_when(event.session)
            )
            for event in event_list(upcoming=True)[:3]
        ],
        _("Aucun événement annoncé pour l’instant."),
        reverse("events:list"),
        _("Tous les événements"),
    )


def key_figures() -> list[tuple[str, str]]:
    """The year's public figures against the programme's target, kept ten minutes."""
    cached = cache.get("essaim:home:figures")
    if cached is not None:
        return cached
    from essaim.reporting.selectors import PUBLIC_SCOPE, TARGET_TRAINED_PER_YEAR, Filters, dashboard

    year = timezone.localdate().year
    totals = dashboard(scope=PUBLIC_SCOPE, filters=Filters(year=year)).totals

    def shown(value: int | None) -> str:
        return _("moins de 5") if value is None else f"{value:,}".replace(",", "\u202f")

    figures = [
        (
            _("personnes formées en %(year)s (objectif : %(target)s)")
            % {"year": year, "target": f"{TARGET_TRAINED_PER_YEAR:,}".replace(",", "\u202f")},
            shown(totals["people_trained"]),
        ),
        (_("sessions tenues"), shown(totals["sessions_held"])),
        (_("sessions programmées"), shown(totals["sessions_scheduled"])),
    ]
    cache.set("essaim:home:figures", figures, 600)
    return figures


def home_page(*, user: Any) -> HomePage:
    now = timezone.now()
    page = HomePage()
    if not getattr(user, "is_authenticated", False):
        # The visitor's home is the same for everyone: kept five minutes, no query when warm.
        events = cache.get("essaim:home:events")
        if events is None:
            events = _events_panel(now)
            cache.set("essaim:home:events", events, 300)
        page.panels = [events]
        page.figures = key_figures()
        return page
    if roles.is_programme_admin(user):
        page.panels += _admin_panels()
        page.figures = key_figures()
    page.panels += _backoffice_panels(user, now)
    if roles.has_role(user, Role.LAB_COORDINATOR):
        page.panels += _lab_panels(user)
    if roles.has_role(user, Role.PARTNER):
        page.panels += _partner_panels(user)
        page.panels.append(_events_panel(now))
    page.panels += _agent_panels(user, now)
    return page
