from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from essaim.catalogue.selectors import course_list, learning_path
from essaim.training.selectors import session_list

#: How many upcoming sessions the course page lists (the sessions page has them all).
UPCOMING_SESSIONS = 10


def path_view(request: HttpRequest) -> HttpResponse:
    """The catalogue as an incremental path; for a signed-in agent, where they stand."""
    user = request.user if request.user.is_authenticated else None
    return render(
        request,
        "catalogue/path.html",
        {"steps": learning_path(user=user), "page_title": _("Le parcours de formation")},
    )


def course_detail(request: HttpRequest, code: str) -> HttpResponse:
    course = get_object_or_404(course_list(), code=code)
    user = request.user if request.user.is_authenticated else None
    step = next((s for s in learning_path(user=user, courses=[course]) if s.course.pk == course.pk), None)
    # The next sessions of the course, each one click from its registration button.
    sessions = [
        {"session": session, "seats_left": max(session.capacity - session.seats_held, 0)}  # type: ignore[attr-defined]
        for session in session_list(course_code=course.code).prefetch_related("slots")[:UPCOMING_SESSIONS]
    ]
    return render(
        request,
        "catalogue/course_detail.html",
        {"course": course, "step": step, "sessions": sessions, "page_title": course.title},
    )
