"""Writes of lab pilots: a civil servant proposes a solution to a regional lab, the lab's
coordinators accept or decline it, run it through its stages with a team and workshops,
and publish the finished pilot to the library as a case study.

Every write is checked against the pilot's own lab (a coordinator of another lab cannot
act) and audited. Facilitators of a workshop recorded as held get it in their practice
log once, through the practice service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from essaim.accounts.models import User
from essaim.accounts.rules import acting_role
from essaim.core.exceptions import ServiceError
from essaim.core.services import audit_log
from essaim.library.models import Resource
from essaim.library.services import resource_import
from essaim.network.models import Pilot, PilotFacilitation, PilotMember, PilotWorkshop
from essaim.network.services import directory_profile_refresh_nested
from essaim.organisations.models import Organisation
from essaim.practice.services import practice_entry_create


def _may_manage(user: Any, pilot: Pilot) -> None:
    if not user.has_perm("network.manage_pilot", pilot):
        raise ServiceError(_("Seules les personnes qui coordonnent ce laboratoire peuvent agir sur ce pilote."))


def _locked(pilot: Pilot) -> Pilot:
    return Pilot.objects.select_for_update().select_related("lab").get(pk=pilot.pk)


def _role(user: Any, pilot: Pilot) -> str:
    return acting_role(user, pilot.lab)


def _text(value: str, *, label: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(_("Indiquez : %(field)s.") % {"field": label})
    if len(value) > limit:
        raise ServiceError(_("« %(field)s » tient en %(limit)d caractères au plus.") % {"field": label, "limit": limit})
    return value


@transaction.atomic(durable=True)
def pilot_propose(*, lab: Organisation, proposer: Any, title: str, problem: str, solution: str) -> Pilot:
    """A civil servant puts forward a solution; the lab's coordinators will decide."""
    if lab.kind != Organisation.Kind.LAB or not lab.is_active:
        raise ServiceError(_("On propose une solution à un laboratoire régional en activité."))
    pilot = Pilot.objects.create(
        lab=lab,
        proposer=proposer,
        title=_text(title, label=_("titre"), limit=200),
        problem=_text(problem, label=_("problème à résoudre"), limit=3000),
        solution=_text(solution, label=_("solution proposée"), limit=3000),
    )
    audit_log(actor=proposer, role="agent", action="network.pilot.propose", target=pilot)
    return pilot


@transaction.atomic(durable=True)
def pilot_decide(*, pilot: Pilot, acting_user: Any, accept: bool, reason: str) -> Pilot:
    """Accepting starts the pilot at its first stage; either way the proposer reads the reason."""
    pilot = _locked(pilot)
    _may_manage(acting_user, pilot)
    if pilot.status != Pilot.Status.PROPOSED:
        raise ServiceError(_("Cette proposition a déjà reçu une réponse."))
    reason = _text(reason, label=_("motif de la décision"), limit=2000, required=not accept)
    pilot.status = Pilot.STAGES[0] if accept else Pilot.Status.DECLINED
    pilot.decision_reason = reason
    pilot.decided_by = acting_user
    pilot.decided_at = timezone.now()
    pilot.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"])
    audit_log(
        actor=acting_user,
        role=_role(acting_user, pilot),
        action="network.pilot.accept" if accept else "network.pilot.decline",
        target=pilot,
        summary=reason,
        changes={"status": [Pilot.Status.PROPOSED, pilot.status]},
    )
    return pilot


@transaction.atomic(durable=True)
def pilot_advance(*, pilot: Pilot, acting_user: Any) -> Pilot:
    """Move an accepted pilot to its next stage (forward only, one stage at a time)."""
    pilot = _locked(pilot)
    _may_manage(acting_user, pilot)
    target = pilot.next_stage
    if target is None:
        raise ServiceError(_("Ce pilote n’a pas d’étape suivante."))
    if target == Pilot.Status.DONE and not pilot.results.strip():
        raise ServiceError(_("Renseignez les résultats avant de terminer le pilote."))
    before = pilot.status
    pilot.status = target
    pilot.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=acting_user,
        role=_role(acting_user, pilot),
        action="network.pilot.stage",
        target=pilot,
        changes={"status": [before, target]},
    )
    return pilot


@transaction.atomic(durable=True)
def pilot_describe(
    *, pilot: Pilot, acting_user: Any, methods: Sequence[Resource], methods_text: str, results: str
) -> Pilot:
    """The participatory methods used (library resources and free text) and the results."""
    pilot = _locked(pilot)
    _may_manage(acting_user, pilot)
    if not pilot.is_accepted:
        raise ServiceError(_("Seul un pilote accepté se décrit."))
    if pilot.case_study_id:
        raise ServiceError(_("Ce pilote est publié : modifiez le retour d’expérience dans la bibliothèque."))
    published = set(Resource.objects.published().filter(pk__in=[m.pk for m in methods]).values_list("pk", flat=True))
    if len(published) != len({m.pk for m in methods}):
        raise ServiceError(_("Choisissez des méthodes publiées dans la bibliothèque."))
    before = {"methods": sorted(pilot.methods.values_list("pk", flat=True)), "results": pilot.results}
    pilot.methods_text = _text(methods_text, label=_("autres méthodes participatives"), limit=2000, required=False)
    pilot.results = _text(results, label=_("résultats"), limit=5000, required=False)
    pilot.save(update_fields=["methods_text", "results", "updated_at"])
    pilot.methods.set(sorted(published))
    audit_log(
        actor=acting_user,
        role=_role(acting_user, pilot),
        action="network.pilot.describe",
        target=pilot,
        changes={
            "methods": [before["methods"], sorted(published)],
            "results_changed": before["results"] != pilot.results,
        },
    )
    return pilot


@transaction.atomic(durable=True)
def pilot_member_add(*, pilot: Pilot, acting_user: Any, email: str, role: str) -> PilotMember:
    pilot = _locked(pilot)
    _may_manage(acting_user, pilot)
    if not pilot.is_accepted or pilot.status == Pilot.Status.DONE:
        raise ServiceError(_("On compose l’équipe d’un pilote en cours."))
    person = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if person is None:
        raise ServiceError(_("Aucun compte actif avec cette adresse : la personne doit s’être connectée une fois."))
    role = _text(role, label=_("rôle dans l’équipe"), limit=100)
    if PilotMember.objects.filter(pilot=pilot, user=person).exists():
        raise ServiceError(_("Cette personne est déjà dans l’équipe."))
    membership = PilotMember.objects.create(pilot=pilot, user=person, role=role)
    audit_log(
        actor=acting_user,
        role=_role(acting_user, pilot),
        action="network.pilot.member_add",
        target=pilot,
        changes={"user": person.pk, "role": role},
    )
    return membership


@transaction.atomic(durable=True)
def pilot_workshop_add(
    *,
    pilot: Pilot,
    acting_user: Any,
    date: dt.date,
    title: str,
    method: str,
    participants: int,
    facilitator_ids: Sequence[int],
) -> PilotWorkshop:
    """A workshop of the pilot, facilitated by members of its team."""
    pilot = _locked(pilot)
    _may_manage(acting_user, pilot)
    if not pilot.is_accepted or pilot.status == Pilot.Status.DONE:
        raise ServiceError(_("On ajoute des ateliers à un pilote en cours."))
    if participants < 1 or participants > 100000:
        raise ServiceError(_("Indiquez un nombre de participants entre 1 et 100 000."))
    ids = set(facilitator_ids)
    if not ids:
        raise ServiceError(_("Choisissez au moins une personne qui anime l’atelier."))
    team = set(PilotMember.objects.filter(pilot=pilot, user_id__in=ids).values_list("user_id", flat=True))
    if team != ids:
        raise ServiceError(_("Les personnes qui animent sont choisies dans l’équipe du pilote."))
    workshop = PilotWorkshop.objects.create(
        pilot=pilot,
        date=date,
        title=_text(title, label=_("intitulé de l’atelier"), limit=200),
        method=_text(method, label=_("méthode"), limit=200),
        participants=participants,
    )
    PilotFacilitation.objects.bulk_create(PilotFacilitation(workshop=workshop, facilitator_id=pk) for pk in sorted(ids))
    audit_log(
        actor=acting_user,
        role=_role(acting_user, pilot),
        action="network.pilot.workshop_add",
        target=pilot,
        changes={"workshop": workshop.pk, "facilitators": sorted(ids)},
    )
    return workshop


@transaction.atomic(durable=True)
def pilot_workshop_mark_held(*, workshop: PilotWorkshop, acting_user: Any, outcome: str = "") -> PilotWorkshop:
    """The workshop took place: each facilitator gets it in their practice log, once.

    Marking it again changes nothing (the workshop row is locked and `held_at` checked
    inside the lock; each facilitation keeps the entry it produced)."""
    workshop = PilotWorkshop.objects.select_for_update().select_related("pilot__lab").get(pk=workshop.pk)
    pilot = workshop.pilot
    _may_manage(acting_user, pilot)
    if workshop.held_at is not None:
        return workshop
    if workshop.date > timezone.localdate():
        raise ServiceError(_("L’atelier n’a pas encore eu lieu."))
    audience = _("Pilote « %(title)s » — %(lab)s") % {"title": pilot.title, "lab": pilot.lab}
    facilitations = list(
        PilotFacilitation.objects.filter(workshop=workshop, practice_entry__isnull=True).select_related("facilitator")
    )
    for facilitation in facilitations:
        # The practice service is durable on its own: its body (checks and audit) runs in
        # this transaction so that the workshop and the entries change together.
        facilitation.practice_entry = practice_entry_create.__wrapped__(  # type: ignore[attr-defined]
            user=facilitation.facilitator,
            acting_user=acting_user,
            date=workshop.date,
            title=workshop.title,
            method=workshop.method,
            participants=workshop.participants,
            audience=audience[:200],
            outcome=outcome,
        )
        facilitation.save(update_fields=["practice_entry"])
        directory_profile_refresh_nested(user=facilitation.facilitator)
    workshop.held_at = timezone.now()
    workshop.save(update_fields=["held_at"])
    audit_log(
        actor=acting_user,
        role=_role(acting_user, pilot),
        action="network.pilot.workshop_held",
        target=pilot,
        changes={"workshop": workshop.pk, "entries": [f.practice_entry_id for f in facilitations]},
    )
    return workshop


def _case_study_body(pilot: Pilot) -> str:
    """The case study's text, from the pilot (escaped here; the library cleans it again)."""
    problem, solution, used, held, results = (
        escape(_("Problème")),
        escape(_("Solution expérimentée")),
        escape(_("Méthodes participatives")),
        escape(_("Ateliers")),
        escape(_("Résultats")),
    )
    parts = [
        f"<h2>{problem}</h2>{linebreaks(pilot.problem, autoescape=True)}",
        f"<h2>{solution}</h2>{linebreaks(pilot.solution, autoescape=True)}",
    ]
    methods = [escape(m.title) for m in pilot.methods.all()]
    if pilot.methods_text:
        methods.append(escape(pilot.methods_text))
    if methods:
        items = "".join(f"<li>{m}</li>" for m in methods)
        parts.append(f"<h2>{used}</h2><ul>{items}</ul>")
    workshops = [
        f"<li>{w.date:%d/%m/%Y} — {escape(w.title)} ({escape(w.method)}, {w.participants})</li>"
        for w in pilot.workshops.filter(held_at__isnull=False)
    ]
    if workshops:
        parts.append(f"<h2>{held}</h2><ul>{''.join(workshops)}</ul>")
    parts.append(f"<h2>{results}</h2>{linebreaks(pilot.results, autoescape=True)}")
    return "".join(parts)


@transaction.atomic(durable=True)
def pilot_publish_case_study(*, pilot: Pilot, acting_user: Any) -> Resource:
    """Publish a finished pilot to the library: a case study under Licence Ouverte, filed
    under the lab, published at once (the lab's coordinators are its editors)."""
    pilot = _locked(pilot)
    _may_manage(acting_user, pilot)
    if pilot.status != Pilot.Status.DONE:
        raise ServiceError(_("Seul un pilote terminé se publie comme retour d’expérience."))
    if pilot.case_study_id:
        raise ServiceError(_("Ce pilote est déjà publié dans la bibliothèque."))
    summary = pilot.solution if len(pilot.solution) <= 1000 else pilot.solution[:999] + "…"
    # The library's import service publishes at once and files the resource under the lab
    # (a coordinator may belong to another organisation: the lab, not the person, is the
    # author). Its body runs in this transaction; our own audit entry names the person.
    resource = resource_import.__wrapped__(  # type: ignore[attr-defined]
        record={
            "title": pilot.title,
            "summary": summary,
            "body": _case_study_body(pilot),
            "type": Resource.Type.CASE_STUDY,
            "licence": Resource.Licence.ETALAB,
            "language": Resource.Language.FR,
            "authors": str(pilot.lab),
            "organisation": pilot.lab.slug,
            "themes": [str(_("laboratoire d’innovation")), str(_("retour d’expérience"))],
            "published": True,
        },
        acting_user=None,
    )
    pilot.case_study = resource
    pilot.save(update_fields=["case_study", "updated_at"])
    audit_log(
        actor=acting_user,
        role=_role(acting_user, pilot),
        action="network.pilot.publish",
        target=pilot,
        changes={"resource": resource.pk},
    )
    return resource
