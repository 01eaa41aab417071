"""Writes of the delegation: calls, applications, the selection under quotas, the report.

Every change to who holds a seat takes the call's lock once, late, just before counting
(`_lock_call`: a PostgreSQL row lock bounded by `lock_timeout`; SQLite's IMMEDIATE
transactions serialise writers anyway), then counts the selected rows — no stored
counter. Two programme admins clicking « Sélectionner » at the same moment are served
one after the other, and the second sees the first's choice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from essaim.accounts import roles
from essaim.core.exceptions import ServiceError
from essaim.core.outbox import outbox_enqueue
from essaim.core.services import audit_log, model_changes, snapshot
from essaim.delegation.models import Application, Call
from essaim.organisations.models import Organisation, ministry_id_of
from essaim.training.models import Completion

Status = Application.Status
CALL_FIELDS = [
    "year", "title", "description", "place", "event_starts_on", "event_ends_on",
    "opens_at", "closes_at", "seats", "ministry_quota", "region_quota",
]  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# Helpers --------------------------------------------------------------------------------
def _require_admin(user: Any) -> None:
    if not roles.is_programme_admin(user):
        raise ServiceError(_("Seule l’équipe du programme gère la délégation."), code="forbidden")


def _lock_call(call_id: int) -> Call:
    """The one lock of a selection transaction, taken just before counting."""
    return Call.objects.select_for_update().get(pk=call_id)


def plain_text(value: str, *, limit: int) -> str:
    """Free text kept as plain text: no markup, no control characters, bounded."""
    text = strip_tags(value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if len(text) > limit:
        raise ServiceError(
            _("Le texte dépasse %(limit)s caractères (%(length)s).") % {"limit": limit, "length": len(text)},
            code="too_long",
        )
    return text


def is_trained(user: Any) -> bool:
    """Trained = at least one course completed (as the network and the figures count it)."""
    return Completion.objects.filter(user=user).exists()


def _place_of(user: Any) -> tuple[int | None, str | None]:
    """The ministry (None outside any ministry) and region of the person's current post."""
    org = Organisation.objects.filter(pk=user.organisation_id).only("region_id", "path").first()
    if org is None:
        return None, user.region_id
    return ministry_id_of(org), (org.region_id or user.region_id)


def _notify_on_commit(application: Application) -> None:
    """Tell the person their current status, once: `notified_status` remembers what was sent."""
    if application.notified_status == application.status:
        return
    application.notified_status = application.status
    application.save(update_fields=["notified_status", "updated_at"])
    from essaim.delegation.tasks import send_application_notice

    outbox_enqueue(
        task=send_application_notice,
        kwargs={"application_id": application.pk, "status": application.status},
        ref=f"delegation.application:{application.pk}",
    )


# Calls ----------------------------------------------------------------------------------
@dataclass
class CallData:
    year: int
    title: str
    description: str
    place: str
    event_starts_on: dt.date
    event_ends_on: dt.date
    opens_at: dt.datetime
    closes_at: dt.datetime
    seats: int
    ministry_quota: int
    region_quota: int | None = None


def _clean_call(data: CallData) -> dict[str, Any]:
    title = (data.title or "").strip()
    if not title:
        raise ServiceError(_("Le titre est obligatoire."))
    if data.closes_at <= data.opens_at:
        raise ServiceError(_("La clôture des candidatures doit suivre leur ouverture."))
    if data.event_ends_on < data.event_starts_on:
        raise ServiceError(_("La fin de l’événement doit suivre son début."))
    if data.seats < 1 or data.ministry_quota < 1 or (data.region_quota is not None and data.region_quota < 1):
        raise ServiceError(_("Le nombre de places et les quotas sont d’au moins 1."))
    if data.ministry_quota > data.seats:
        raise ServiceError(_("Le quota par ministère ne peut dépasser le nombre de places."))
    return {
        "year": data.year,
        "title": title[:200],
        "description": plain_text(data.description, limit=4000),
        "place": (data.place or "").strip()[:200],
        "event_starts_on": data.event_starts_on,
        "event_ends_on": data.event_ends_on,
        "opens_at": data.opens_at,
        "closes_at": data.closes_at,
        "seats": data.seats,
        "ministry_quota": data.ministry_quota,
        "region_quota": data.region_quota,
    }


@transaction.atomic(durable=True)
def call_create(*, data: CallData, acting_user: Any) -> Call:
    _require_admin(acting_user)
    values = _clean_call(data)
    if Call.objects.filter(year=values["year"]).exists():
        raise ServiceError(_("Un appel existe déjà pour %(year)s.") % {"year": values["year"]}, code="duplicate")
    call = Call.objects.create(**values)
    audit_log(
        actor=acting_user,
        role="programme_admin",
        action="delegation.call.create",
        target=call,
        summary=_("Appel à candidatures créé"),
    )
    return call


@transaction.atomic(durable=True)
def call_update(*, call: Call, data: CallData, acting_user: Any) -> Call:
    _require_admin(acting_user)
    call = _lock_call(call.pk)
    if call.status == Call.Status.REPORT_PUBLISHED:
        raise ServiceError(_("Cet appel est clos : son compte rendu est publié."))
    values = _clean_call(data)
    if values["year"] != call.year and Call.objects.filter(year=values["year"]).exists():
        raise ServiceError(_("Un appel existe déjà pour %(year)s.") % {"year": values["year"]}, code="duplicate")
    selected = call.applications.filter(status=Status.SELECTED).count()
    if values["seats"] < selected:
        raise ServiceError(
            _("%(count)s personnes sont déjà sélectionnées : le nombre de places ne peut descendre en dessous.")
            % {"count": selected}
        )
    before = snapshot(call, CALL_FIELDS)
    for name, value in values.items():
        setattr(call, name, value)
    call.save()
    audit_log(
        actor=acting_user,
        role="programme_admin",
        action="delegation.call.update",
        target=call,
        summary=_("Appel à candidatures modifié"),
        changes=model_changes(call, before=before, fields=CALL_FIELDS),
    )
    return call


@transaction.atomic(durable=True)
def call_set_status(*, call: Call, status: str, acting_user: Any) -> Call:
    """Open or close the call (publishing the selection and the report have their services)."""
    _require_admin(acting_user)
    call = _lock_call(call.pk)
    if status not in (Call.Status.OPEN, Call.Status.CLOSED) or status not in Call.TRANSITIONS[call.status]:
        raise ServiceError(
            _("Un appel « %(current)s » ne peut passer à ce statut.") % {"current": call.get_status_display()},
            code="transition",
        )
    before = call.status
    call.status = status
    call.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=acting_user,
        role="programme_admin",
        action=f"delegation.call.{status}",
        target=call,
        summary=call.get_status_display(),
        changes={"status": [before, status]},
    )
    return call


# Applications ---------------------------------------------------------------------------
def _clean_application(motivation: str, availability_note: str) -> tuple[str, str]:
    text = plain_text(motivation, limit=Application.MOTIVATION_MAX)
    if len(text) < 30:
        raise ServiceError(_("Dites en quelques phrases pourquoi vous souhaitez participer (30 caractères au moins)."))
    return text, plain_text(availability_note, limit=Application.NOTE_MAX)


@transaction.atomic(durable=True)
def application_submit(*, call: Call, user: Any, motivation: str, availability_note: str = "") -> Application:
    """A trained agent applies, once per call, while the window is open."""
    call = Call.objects.get(pk=call.pk)
    if not call.window_is_open():
        raise ServiceError(_("Les candidatures ne sont pas ouvertes pour cet appel."), code="closed")
    if not is_trained(user):
        raise ServiceError(
            _("La délégation est ouverte aux agents qui ont validé au moins une formation du parcours."),
            code="not_trained",
        )
    motivation, note = _clean_application(motivation, availability_note)
    ministry_id, region_id = _place_of(user)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                call=call,
                user=user,
                motivation=motivation,
                availability_note=note,
                ministry_id=ministry_id,
                region_id=region_id,
            )
    except IntegrityError:
        raise ServiceError(_("Vous avez déjà candidaté à cet appel."), code="duplicate") from None
    audit_log(
        actor=user,
        role="self",
        action="delegation.application.submit",
        target=application,
        summary=str(call),
    )
    return application


@transaction.atomic(durable=True)
def application_update(
    *, application: Application, acting_user: Any, motivation: str, availability_note: str = ""
) -> Application:
    application = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    if application.user_id != acting_user.pk:
        raise ServiceError(_("Seule la personne candidate peut modifier sa candidature."), code="forbidden")
    if application.status != Status.SUBMITTED or not application.call.window_is_open():
        raise ServiceError(
            _("La candidature ne peut plus être modifiée : les candidatures sont closes."), code="closed"
        )
    before = snapshot(application, ["motivation", "availability_note"])
    application.motivation, application.availability_note = _clean_application(motivation, availability_note)
    application.save(update_fields=["motivation", "availability_note", "updated_at"])
    changed = model_changes(application, before=before, fields=["motivation", "availability_note"])
    audit_log(
        actor=acting_user,
        role="self",
        action="delegation.application.update",
        target=application,
        summary=_("Candidature modifiée"),
        changes=dict.fromkeys(changed, "modifié"),  # the words stay out of the journal
    )
    return application


def _fits(call: Call, application: Application, *, exclude_id: int | None = None) -> str:
    """Why selecting `application` would break a limit ('' when it fits). Call it under the lock."""
    selected = call.applications.filter(status=Status.SELECTED).exclude(pk=exclude_id or application.pk)
    if selected.count() >= call.seats:
        return _("Les %(seats)s places sont déjà attribuées.") % {"seats": call.seats}
    if application.ministry_id and selected.filter(ministry_id=application.ministry_id).count() >= call.ministry_quota:
        return _("Le quota de %(quota)s personnes de ce ministère est atteint.") % {"quota": call.ministry_quota}
    if (
        call.region_quota
        and application.region_id
        and selected.filter(region_id=application.region_id).count() >= call.region_quota
    ):
        return _("Le quota de %(quota)s personnes de cette région est atteint.") % {"quota": call.region_quota}
    return ""


def _promote_from_reserve(call: Call, *, acting_user: Any) -> Application | None:
    """A seat was freed: the first on the reserve list who fits the quotas takes it."""
    for candidate in call.applications.filter(status=Status.RESERVE).order_by("reserve_rank"):
        if _fits(call, candidate):
            continue
        candidate.status = Status.SELECTED
        candidate.reserve_rank = None
        candidate.decided_at = timezone.now()
        candidate.save(update_fields=["status", "reserve_rank", "decided_at", "updated_at"])
        audit_log(
            actor=acting_user,
            role="system",
            action="delegation.application.promote",
            target=candidate,
            summary=_("Promue depuis la liste complémentaire"),
            changes={"status": [Status.RESERVE, Status.SELECTED]},
        )
        if call.selection_is_public:
            _notify_on_commit(candidate)
        return candidate
    return None


@transaction.atomic(durable=True)
def application_withdraw(*, application: Application, acting_user: Any) -> Application:
    """The person withdraws; a seat they held goes to the first fitting person in reserve."""
    if application.user_id != acting_user.pk:
        raise ServiceError(_("Seule la personne candidate peut retirer sa candidature."), code="forbidden")
    call = _lock_call(application.call_id)
    application = Application.objects.get(pk=application.pk)
    if application.status == Status.WITHDRAWN:
        raise ServiceError(_("Cette candidature est déjà retirée."), code="already")
    if call.status == Call.Status.REPORT_PUBLISHED:
        raise ServiceError(_("La délégation a eu lieu : la candidature ne peut plus être retirée."), code="closed")
    before = application.status
    application.status = Status.WITHDRAWN
    application.reserve_rank = None
    application.withdrawn_at = timezone.now()
    application.save(update_fields=["status", "reserve_rank", "withdrawn_at", "updated_at"])
    audit_log(
        actor=acting_user,
        role="self",
        action="delegation.application.withdraw",
        target=application,
        summary=_("Candidature retirée"),
        changes={"status": [before, Status.WITHDRAWN]},
    )
    if before == Status.SELECTED:
        application.call = call
        _promote_from_reserve(call, acting_user=acting_user)
    return application


DECISIONS = (Status.SELECTED, Status.RESERVE, Status.NOT_SELECTED)


@transaction.atomic(durable=True)
def application_decide(*, application: Application, decision: str, acting_user: Any) -> Application:
    """A programme admin selects, puts on the reserve list or does not select. Seats and
    quotas are checked under the call's lock: concurrent clicks cannot overfill."""
    _require_admin(acting_user)
    if decision not in DECISIONS:
        raise ServiceError(_("Décision inconnue."))
    call = _lock_call(application.call_id)
    application = Application.objects.get(pk=application.pk)
    if call.status not in (Call.Status.OPEN, Call.Status.CLOSED, Call.Status.SELECTION_PUBLISHED):
        raise ServiceError(_("La sélection n’est pas ouverte pour cet appel."), code="closed")
    if call.status == Call.Status.OPEN and call.window_is_open():
        raise ServiceError(_("La sélection commence à la clôture des candidatures."), code="closed")
    if application.status == Status.WITHDRAWN:
        raise ServiceError(_("Cette candidature a été retirée."), code="withdrawn")
    before = application.status
    if before == decision:
        return application
    if decision == Status.SELECTED:
        refusal = _fits(call, application)
        if refusal:
            raise ServiceError(refusal, code="quota")
        application.reserve_rank = None
    elif decision == Status.RESERVE:
        top = call.applications.aggregate(top=Max("reserve_rank"))["top"] or 0
        application.reserve_rank = top + 1
    else:
        application.reserve_rank = None
    application.status = decision
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "reserve_rank", "decided_at", "updated_at"])
    audit_log(
        actor=acting_user,
        role="programme_admin",
        action=f"delegation.application.{decision}",
        target=application,
        summary=application.get_status_display(),
        changes={"status": [before, decision]},
    )
    if call.selection_is_public:
        _notify_on_commit(application)
        if before == Status.SELECTED:
            _promote_from_reserve(call, acting_user=acting_user)
    return application


@transaction.atomic(durable=True)
def selection_publish(*, call: Call, acting_user: Any) -> int:
    """Publish the selection: every applicant is told their outcome, in their language,
    once. Publishing again (after a change) only tells those whose status changed.
    Returns how many notifications were queued."""
    _require_admin(acting_user)
    call = _lock_call(call.pk)
    if call.status not in (Call.Status.CLOSED, Call.Status.SELECTION_PUBLISHED):
        raise ServiceError(_("Clôturez les candidatures avant de publier la sélection."), code="transition")
    pending = call.applications.filter(status=Status.SUBMITTED).count()
    if pending:
        raise ServiceError(
            _("%(count)s candidatures attendent encore une décision.") % {"count": pending}, code="pending"
        )
    if not call.applications.filter(status=Status.SELECTED).exists():
        raise ServiceError(_("Sélectionnez au moins une personne avant de publier."), code="empty")
    first = call.status == Call.Status.CLOSED
    call.status = Call.Status.SELECTION_PUBLISHED
    call.selection_published_at = call.selection_published_at or timezone.now()
    call.save(update_fields=["status", "selection_published_at", "updated_at"])
    queued = 0
    for application in call.applications.active().exclude(notified_status=F("status")):
        before = application.notified_status
        _notify_on_commit(application)
        queued += application.notified_status != before
    audit_log(
        actor=acting_user,
        role="programme_admin",
        action="delegation.call.publish_selection",
        target=call,
        summary=_("Sélection publiée (%(count)s messages)") % {"count": queued},
        changes={"first_publication": first},
    )
    return queued


# The report -----------------------------------------------------------------------------
@dataclass
class ReportData:
    title: str
    summary: str
    body: str = ""
    uploads: Sequence[Any] = ()


@transaction.atomic(durable=True)
def call_report_publish(*, call: Call, data: ReportData, acting_user: Any) -> Call:
    """The delegation's report becomes a published resource of the library, linked from
    the call — in one transaction: the library's services run their bodies in it, so a
    failure at any step leaves neither a published report nor a half-linked call."""
    from essaim.library.models import Resource
    from essaim.library.services import Decision, ResourceData, resource_create, resource_review

    _require_admin(acting_user)
    call = _lock_call(call.pk)
    if call.status != Call.Status.SELECTION_PUBLISHED:
        raise ServiceError(_("Le compte rendu se publie après la sélection, une seule fois."), code="transition")
    resource = resource_create.__wrapped__(  # type: ignore[attr-defined]
        data=ResourceData(
            title=data.title,
            summary=data.summary,
            body=data.body,
            type=Resource.Type.CASE_STUDY,
            themes=["Rencontres Européennes de la Participation", "délégation"],
            authors=_("Délégation %(year)s") % {"year": call.year},
        ),
        acting_user=acting_user,
        uploads=data.uploads,
    )
    resource_review.__wrapped__(resource=resource, acting_user=acting_user, decision=Decision.PUBLISH)  # type: ignore[attr-defined]
    call.report = resource
    call.status = Call.Status.REPORT_PUBLISHED
    call.save(update_fields=["report", "status", "updated_at"])
    audit_log(
        actor=acting_user,
        role="programme_admin",
        action="delegation.call.publish_report",
        target=call,
        summary=resource.title,
        changes={"report": resource.pk},
    )
    return call
