"""The sessions back office: organisers manage their sessions' registrants, trainers take
attendance, programme admins follow the quarterly planning.

Each view finds the object (404 when unknown), checks the permission on it (403), parses
the input with a form (400 with the errors when invalid), calls one service and shows its
refusals (ServiceError) as alerts.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from essaim.accounts import roles
from essaim.core.exceptions import ServiceError
from essaim.core.shortcuts import require_or_404
from essaim.core.spreadsheets import neutralise
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.training.attendance import attendance_record, session_close
from essaim.training.backoffice_forms import (
    AttendanceForm,
    BackofficeSessionFilterForm,
    CapacityForm,
    DeclineForm,
    MoveForm,
    RegistrationCancelForm,
    SessionCancelForm,
    mark_field_name,
)
from essaim.training.backoffice_selectors import (
    attendance_sheet,
    backoffice_session,
    introduction_planning,
    managed_session_list,
    may_use_backoffice,
    move_targets,
    registrants_for_export,
    session_registrants,
)
from essaim.training.models import Attendance, Registration, Session
from essaim.training.services import (
    registration_approve,
    registration_cancel,
    registration_decline,
    registration_move,
    registrations_approve,
)
from essaim.training.sessions import session_cancel, session_set_capacity

Status = Registration.Status
PAGE_SIZE = 30
MANAGE = "training.manage_session"
TAKE_ATTENDANCE = "training.take_attendance"


# Helpers ------------------------------------------------------------------------------------


def _session_or_404(pk: int) -> Session:
    try:
        return backoffice_session(session_id=pk)
    except Session.DoesNotExist:
        raise Http404 from None


def _registration_or_404(pk: int) -> Registration:
    try:
        return Registration.objects.select_related("session__course", "session__organiser", "user").get(pk=pk)
    except Registration.DoesNotExist:
        raise Http404 from None


def _require(request: AuthenticatedHttpRequest, perm: str, session: Session) -> None:
    # Someone else's session answers as an absent one: no probing of identifiers.
    require_or_404(request.user, perm, session)


def _call(request: AuthenticatedHttpRequest, action: Callable[[], Any], success: Callable[[Any], str]) -> bool:
    """Run one service; its refusal becomes an error alert, its result a success alert."""
    try:
        result = action()
    except ServiceError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success(result))
    return True


def _detail_url(session_id: int) -> str:
    return reverse("training_admin:detail", args=[session_id])


def _breadcrumb(current: str, *links: tuple[str, str]) -> dict[str, Any]:
    return {
        "links": [
            {"url": reverse("training_admin:list"), "title": _("Pilotage des sessions")},
            *({"url": url, "title": title} for url, title in links),
        ],
        "current": current,
        "root_dir": "",
    }


def _first_error(form: Any) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return _("Le formulaire contient une erreur.")


# The list -----------------------------------------------------------------------------------


@login_required
def session_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_use_backoffice(request.user):
        raise PermissionDenied
    form = BackofficeSessionFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # the valid filters apply; errors are shown next to their field
    page = Paginator(managed_session_list(user=request.user, **form.filters()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.pages_list = list(page.paginator.get_elided_page_range(page.number))  # type: ignore[attr-defined]
    rows = [{"session": session} for session in page]
    return render(
        request,
        "training/backoffice/list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "is_programme_admin": roles.is_programme_admin(request.user),
            "page_title": _("Pilotage des sessions"),
        },
    )


# One session --------------------------------------------------------------------------------


@dataclass
class RowError:
    """An invalid action on one registrant: shown next to that person's form."""

    registration_id: int
    action: str
    message: str
    value: str = ""


def _render_detail(
    request: AuthenticatedHttpRequest,
    session: Session,
    *,
    status: int = 200,
    capacity_form: CapacityForm | None = None,
    cancel_form: SessionCancelForm | None = None,
    row_error: RowError | None = None,
) -> HttpResponse:
    can_manage = request.user.has_perm(MANAGE, session)
    is_open = session.status in (Session.Status.DRAFT, Session.Status.PUBLISHED)
    groups = []
    for group in session_registrants(session=session):
        rows = []
        for row in group.rows:
            registration = row.registration
            error = row_error if row_error and row_error.registration_id == registration.pk else None
            rows.append(
                {
                    "registration": registration,
                    "position": row.position,
                    "is_active": registration.status in Registration.ACTIVE,
                    "error_action": error.action if error else "",
                    "error_message": error.message if error else "",
                    "error_value": error.value if error else "",
                }
            )
        groups.append(
            {
                "status": group.status,
                "label": group.label,
                "rows": rows,
                "show_position": group.status == Status.WAITLISTED,
                "show_deadline": group.status == Status.OFFERED,
                "has_actions": can_manage and is_open and any(row["is_active"] for row in rows),
                "bulk_approve": can_manage and is_open and group.status == Status.REQUESTED and len(rows) > 1,
            }
        )
    return render(
        request,
        "training/backoffice/detail.html",
        {
            "session": session,
            "groups": groups,
            "can_manage": can_manage,
            "is_open": is_open,
            "move_targets": list(move_targets(session=session)) if can_manage and is_open else [],
            # Accepting a request now puts the person on the waiting list: the button says so first.
            "approval_waitlists": session.seats_held >= session.capacity or session.waiting > 0,  # type: ignore[attr-defined]
            "next_queue_position": session.waiting + 1,  # type: ignore[attr-defined]
            "trainers": list(session.trainers.all()),
            "slots": list(session.slots.order_by("starts_at")),
            "capacity_form": capacity_form or CapacityForm(prefix="capacity", initial={"capacity": session.capacity}),
            "cancel_form": cancel_form or SessionCancelForm(prefix="cancel"),
            "row_error": row_error,
            "page_title": str(session),
            "breadcrumb_data": _breadcrumb(str(session)),
        },
        status=status,
    )


@login_required
def session_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Managers see and act; the session's trainers see who comes, read-only."""
    session = _session_or_404(pk)
    _require(request, TAKE_ATTENDANCE, session)
    return _render_detail(request, session)


@require_POST
@login_required
def session_capacity_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(pk)
    _require(request, MANAGE, session)
    form = CapacityForm(request.POST, prefix="capacity")
    if not form.is_valid():
        return _render_detail(request, session, status=400, capacity_form=form)
    _call(
        request,
        lambda: session_set_capacity(session=session, capacity=form.cleaned_data["capacity"], acting_user=request.user),
        lambda updated: _("La session compte désormais %(capacity)d places.") % {"capacity": updated.capacity},
    )
    return redirect(_detail_url(session.pk))


@require_POST
@login_required
def session_cancel_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(pk)
    _require(request, MANAGE, session)
    form = SessionCancelForm(request.POST, prefix="cancel")
    if not form.is_valid():
        return _render_detail(request, session, status=400, cancel_form=form)
    _call(
        request,
        lambda: session_cancel(session=session, acting_user=request.user, reason=form.cleaned_data["reason"]),
        lambda _session: _("La session est annulée ; les personnes inscrites sont prévenues par e-mail."),
    )
    return redirect(_detail_url(session.pk))


def _managed_registration(request: AuthenticatedHttpRequest, pk: int) -> tuple[Registration, Session]:
    registration = _registration_or_404(pk)
    session = _session_or_404(registration.session_id)
    _require(request, MANAGE, session)
    return registration, session


@require_POST
@login_required
def registration_approve_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    registration, session = _managed_registration(request, pk)
    _call(
        request,
        lambda: registration_approve(registration=registration, acting_user=request.user),
        lambda approved: (
            _("%(name)s : demande acceptée, %(status)s.")
            % {"name": registration.user, "status": approved.get_status_display()}
        ),
    )
    return redirect(_detail_url(session.pk))


@require_POST
@login_required
def registrations_approve_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """« Accepter la sélection »: the ticked requests of one session, oldest first."""
    session = _session_or_404(pk)
    _require(request, MANAGE, session)
    ids = [int(value) for value in request.POST.getlist("registration") if value.isdigit()]
    _call(
        request,
        lambda: registrations_approve(session=session, registration_ids=ids, acting_user=request.user),
        lambda approved: (
            ngettext(
                "%(count)d demande acceptée : %(booked)d inscrite, %(waiting)d en liste d’attente.",
                "%(count)d demandes acceptées : %(booked)d inscrites, %(waiting)d en liste d’attente.",
                len(approved),
            )
            % {
                "count": len(approved),
                "booked": sum(1 for r in approved if r.status == Status.BOOKED),
                "waiting": sum(1 for r in approved if r.status == Status.WAITLISTED),
            }
        ),
    )
    return redirect(_detail_url(session.pk))


@require_POST
@login_required
def registration_decline_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    registration, session = _managed_registration(request, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        error = RowError(registration.pk, "decline", _first_error(form), request.POST.get("reason", ""))
        return _render_detail(request, session, status=400, row_error=error)
    _call(
        request,
        lambda: registration_decline(
            registration=registration, acting_user=request.user, reason=form.cleaned_data["reason"]
        ),
        lambda _declined: _("%(name)s : demande refusée.") % {"name": registration.user},
    )
    return redirect(_detail_url(session.pk))


@require_POST
@login_required
def registration_cancel_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    registration, session = _managed_registration(request, pk)
    form = RegistrationCancelForm(request.POST)
    if not form.is_valid():
        error = RowError(registration.pk, "cancel", _first_error(form), request.POST.get("note", ""))
        return _render_detail(request, session, status=400, row_error=error)
    _call(
        request,
        lambda: registration_cancel(
            registration=registration, acting_user=request.user, by_organiser=True, note=form.cleaned_data["note"]
        ),
        lambda _cancelled: _("L’inscription de %(name)s est annulée.") % {"name": registration.user},
    )
    return redirect(_detail_url(session.pk))


@require_POST
@login_required
def registration_move_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    registration, session = _managed_registration(request, pk)
    form = MoveForm(request.POST, session=session)
    if not form.is_valid():
        error = RowError(registration.pk, "move", _first_error(form))
        return _render_detail(request, session, status=400, row_error=error)
    target = form.cleaned_data["to_session"]
    _call(
        request,
        lambda: registration_move(registration=registration, to_session=target, acting_user=request.user),
        lambda moved: (
            _("%(name)s est transféré vers la session du %(date)s : %(status)s.")
            % {
                "name": registration.user,
                "date": timezone.localtime(target.starts_at).strftime("%d/%m/%Y"),
                "status": moved.get_status_display(),
            }
        ),
    )
    return redirect(_detail_url(session.pk))


# CSV export ---------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer to stream."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    """Text a spreadsheet will not run as a formula."""
    return str(neutralise("" if value is None else str(value)))


def _export_lines(session: Session) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"  # so that spreadsheets read the accents as UTF-8
    yield writer.writerow(["nom", "prénom", "courriel", "organisation", "statut", "position", "inscrit le"])
    for row in registrants_for_export(session=session):
        registration, user = row.registration, row.registration.user
        yield writer.writerow(
            [
                _cell(user.usual_name),
                _cell(user.given_name),
                _cell(user.email),
                _cell(user.organisation.name if user.organisation else ""),
                _cell(registration.get_status_display()),
                row.position or "",
                timezone.localtime(registration.created_at).strftime("%d/%m/%Y %H:%M"),
            ]
        )


@login_required
def registrants_export_view(request: AuthenticatedHttpRequest, pk: int) -> StreamingHttpResponse:
    session = _session_or_404(pk)
    _require(request, MANAGE, session)
    day = timezone.localtime(session.starts_at).strftime("%Y-%m-%d") if session.starts_at else "sans-date"
    response = StreamingHttpResponse(_export_lines(session), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="inscrits-{session.course.code}-{day}.csv"'
    return response


# Attendance ---------------------------------------------------------------------------------

ATTENDANCE_LABELS = dict(Attendance.Status.choices)
#: attendance_record accepts a half-day from an hour before it starts.
ATTENDANCE_OPENS_BEFORE = dt.timedelta(hours=1)


def _render_attendance(
    request: AuthenticatedHttpRequest, session: Session, *, form: AttendanceForm | None = None, status: int = 200
) -> HttpResponse:
    sheet = attendance_sheet(session=session)
    now = timezone.now()
    editable = session.status == Session.Status.PUBLISHED
    failed_slot = form.data.get("slot") if form is not None else None
    slots = []
    for slot in sheet.slots:
        bound = form if form is not None and failed_slot == str(slot.pk) else None
        people = []
        for registration in sheet.registrations:
            recorded = sheet.marks.get((slot.pk, registration.pk), "")
            value = bound.data.get(mark_field_name(registration.pk), "") if bound is not None else recorded
            people.append(
                {
                    "registration": registration,
                    "field": mark_field_name(registration.pk),
                    "value": value,
                    "recorded_label": ATTENDANCE_LABELS.get(recorded, ""),
                }
            )
        slots.append(
            {
                "slot": slot,
                "people": people,
                "recorded": sum(1 for person in people if person["recorded_label"]),
                "is_open": editable and slot.starts_at <= now + ATTENDANCE_OPENS_BEFORE,
            }
        )
    last_end = sheet.slots[-1].ends_at if sheet.slots else None
    return render(
        request,
        "training/backoffice/attendance.html",
        {
            "session": session,
            "slots": slots,
            "has_people": bool(sheet.registrations),
            "choices": Attendance.Status.choices,
            "can_close": editable and last_end is not None and last_end <= now,
            "can_manage": request.user.has_perm(MANAGE, session),
            "form_errors": [str(e) for errors in form.errors.values() for e in errors] if form is not None else [],
            "completed": sum(1 for r in sheet.registrations if r.status == Status.COMPLETED),
            "page_title": _("Présence — %(session)s") % {"session": session},
            "breadcrumb_data": _breadcrumb(_("Présence"), (_detail_url(session.pk), str(session))),
        },
        status=status,
    )


@login_required
def attendance_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(pk)
    _require(request, TAKE_ATTENDANCE, session)
    if request.method != "POST":
        return _render_attendance(request, session)
    sheet = attendance_sheet(session=session)
    form = AttendanceForm(request.POST, slots=sheet.slots, registrations=sheet.registrations)
    if not form.is_valid():
        return _render_attendance(request, session, form=form, status=400)
    slot = form.chosen_slot()
    _call(
        request,
        lambda: attendance_record(session=session, slot=slot, marks=form.marks(), acting_user=request.user),
        lambda saved: (
            ngettext(
                "Présence enregistrée pour %(count)d personne (%(slot)s).",
                "Présence enregistrée pour %(count)d personnes (%(slot)s).",
                len(saved),
            )
            % {"count": len(saved), "slot": slot}
        ),
    )
    return redirect(reverse("training_admin:attendance", args=[session.pk]) + f"#slot-{slot.pk}")


@require_POST
@login_required
def session_close_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(pk)
    _require(request, TAKE_ATTENDANCE, session)
    _call(
        request,
        lambda: session_close(session=session, acting_user=request.user),
        lambda completions: (
            ngettext(
                "Session clôturée : %(count)d formation validée.",
                "Session clôturée : %(count)d formations validées.",
                len(completions),
            )
            % {"count": len(completions)}
        ),
    )
    return redirect(reverse("training_admin:attendance", args=[session.pk]))


# Planning -----------------------------------------------------------------------------------


@login_required
def planning_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not roles.is_programme_admin(request.user):
        raise PermissionDenied
    quarters = introduction_planning()
    return render(
        request,
        "training/backoffice/planning.html",
        {
            "quarters": quarters,
            "missing": sum(1 for quarter in quarters if quarter.lacks_introduction),
            "page_title": _("Planification des sessions d’introduction"),
            "breadcrumb_data": _breadcrumb(_("Planification")),
        },
    )
