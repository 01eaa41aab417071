"""Sessions and registrations in the REST API (/api/v1/)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import ConfigDict

from essaim.api.auth import auth_user, authenticated
from essaim.api.pagination import PageNumberPagination
from essaim.catalogue.models import Course
from essaim.catalogue.selectors import course_list
from essaim.core.exceptions import ServiceError
from essaim.training.models import Registration
from essaim.training.selectors import course_validated_at, registration_list_for_user, session_detail, session_list
from essaim.training.services import registration_cancel, registration_create, waitlist_position

router = Router(tags=["Formations et sessions"])


class CourseOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "FAC-101",
                    "title": "Découvrir la facilitation",
                    "summary": "Les bases pour animer un atelier participatif.",
                    "duration_half_days": 2,
                    "format": "in_person",
                    "is_introduction": True,
                    "prerequisites": [],
                }
            ]
        }
    )

    code: str
    title: str
    summary: str
    duration_half_days: int
    format: str
    is_introduction: bool
    prerequisites: list[str]

    @staticmethod
    def resolve_prerequisites(obj: Course) -> list[str]:
        return [p.required_course.code for p in obj.prerequisites.all()]


class SessionOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 42,
                    "course_code": "FAC-101",
                    "course_title": "Découvrir la facilitation",
                    "status": "published",
                    "starts_at": "2027-01-14T09:00:00+01:00",
                    "ends_at": "2027-01-14T17:00:00+01:00",
                    "format": "in_person",
                    "region_code": "84",
                    "capacity": 16,
                    "seats_left": 3,
                    "waiting_list_length": 0,
                }
            ]
        }
    )

    id: int
    # The session's own title when the organiser gave one, else the course's.
    title: str
    course_code: str = Field(..., alias="course.code")
    course_title: str = Field(..., alias="course.title")
    status: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    format: str
    region_code: str | None = Field(None, alias="region_id")
    capacity: int
    seats_left: int
    waiting_list_length: int

    @staticmethod
    def resolve_seats_left(obj: Any) -> int:
        return max(obj.capacity - obj.seats_held, 0)

    @staticmethod
    def resolve_waiting_list_length(obj: Any) -> int:
        return obj.waiting


class RegistrationOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 314,
                    "session_id": 42,
                    "status": "booked",
                    "status_label": "Inscrit",
                    "waiting_list_position": None,
                    "offered_until": None,
                }
            ]
        }
    )

    id: int
    session_id: int
    status: str
    status_label: str
    waiting_list_position: int | None
    offered_until: dt.datetime | None

    @staticmethod
    def resolve_status_label(obj: Registration) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_waiting_list_position(obj: Registration) -> int | None:
        if obj.status == Registration.Status.WAITLISTED and hasattr(obj, "position_at_creation"):
            return obj.position_at_creation
        return waitlist_position(obj)


class ErrorOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"detail": "Session complète.", "code": "session_full"}]})

    detail: str
    code: str = ""


@router.get("/courses", response=list[CourseOut], summary="Formations du catalogue")
def list_courses(request: HttpRequest):
    """Les formations publiées du catalogue, avec leurs prérequis (codes d’autres formations).

    Public, sans authentification.
    """
    return list(course_list())


@router.get("/sessions", response=list[SessionOut], summary="Sessions à venir")
@paginate(PageNumberPagination, page_size=50)
def list_sessions(
    request: HttpRequest,
    course: str = "",
    region: str = "",
    month: dt.date | None = None,
    format: str = "",
    seats_left: bool = False,
):
    """Liste paginée (50 par page) des sessions à venir et visibles.

    Filtres : `course` (code de formation), `region` (code INSEE), `month` (une date du mois voulu),
    `format`, `seats_left=true` pour ne garder que les sessions avec des places libres.
    Public, sans authentification.
    """
    return session_list(course_code=course, region=region, month=month, format=format, with_seats_left=seats_left)


@router.get("/sessions/{session_id}", response={200: SessionOut, 404: ErrorOut}, summary="Une session")
def get_session(request: HttpRequest, session_id: int):
    """Détail d’une session visible : dates, lieu (région), capacité, places restantes, liste d’attente.

    Public, sans authentification. Erreur 404 si la session n’existe pas ou n’est pas visible.
    """
    from essaim.training.models import Session

    try:
        return session_detail(session_id=session_id)
    except Session.DoesNotExist:
        return Status(404, {"detail": _("Session introuvable.")})


@router.post(
    "/sessions/{session_id}/registrations",
    response={201: RegistrationOut, 404: ErrorOut, 409: ErrorOut},
    auth=authenticated,
    summary="M’inscrire à une session",
)
def create_registration(request: HttpRequest, session_id: int, confirm: bool = False):
    """Inscrit la personne authentifiée à une session : inscription (`booked`) s’il reste une place,
    sinon en liste d’attente (`waiting_list_position`).

    `confirm=true` est nécessaire pour se réinscrire à une formation déjà validée (les pages web posent
    la même question). Réservé aux personnes authentifiées. Erreurs : 404 session introuvable,
    409 déjà inscrite, formation déjà validée (`already_validated`), prérequis manquants ou inscriptions closes.
    """
    from essaim.training.models import Session

    try:
        session = Session.objects.visible().select_related("course").get(pk=session_id)
    except Session.DoesNotExist:
        return Status(404, {"detail": _("Session introuvable.")})
    user = auth_user(request)
    if not confirm and course_validated_at(user=user, course_id=session.course_id):
        return Status(
            409,
            {
                "detail": _("Vous avez déjà validé cette formation : confirmez votre nouvelle inscription."),
                "code": "already_validated",
            },
        )
    try:
        registration = registration_create(session=session, agent=user, acting_user=user)
    except ServiceError as exc:
        return Status(409, {"detail": exc.message, "code": exc.code})
    return Status(201, registration)


@router.delete(
    "/registrations/{registration_id}",
    response={200: RegistrationOut, 404: ErrorOut, 409: ErrorOut},
    auth=authenticated,
    summary="Annuler mon inscription",
)
def cancel_registration(request: HttpRequest, registration_id: int):
    """Annule l’une de ses inscriptions ; la place libérée est proposée à la liste d’attente.

    Réservé aux personnes authentifiées. Erreurs : 404 si l’inscription n’existe pas ou appartient à
    une autre personne, 409 si elle ne peut plus être annulée (session passée, déjà annulée…).
    """
    user = auth_user(request)
    registration = Registration.objects.filter(pk=registration_id, user=user).first()
    if registration is None:  # another person's id: nothing revealed
        return Status(404, {"detail": _("Inscription introuvable.")})
    try:
        return Status(200, registration_cancel(registration=registration, acting_user=user))
    except ServiceError as exc:
        return Status(409, {"detail": exc.message, "code": exc.code})


@router.get("/me/registrations", response=list[RegistrationOut], auth=authenticated, summary="Mes inscriptions")
def my_registrations(request: HttpRequest):
    """Les inscriptions de la personne authentifiée, toutes sessions confondues, avec leur état
    et la position en liste d’attente.

    Réservé aux personnes authentifiées ; erreur 401 sinon.
    """
    return list(registration_list_for_user(user=auth_user(request)))
