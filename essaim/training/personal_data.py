"""Registrations, their history, attendance and completions."""

from __future__ import annotations

from typing import Any

from essaim.training.models import Attendance, Completion, Registration, RegistrationEvent


def export(user: Any) -> dict[str, Any]:
    registrations = list(
        Registration.objects.filter(user=user)
        .select_related("session__course", "session__event")
        .order_by("created_at")
    )
    history: dict[int, list[dict[str, Any]]] = {}
    for event in RegistrationEvent.objects.filter(registration__user=user).order_by("created_at", "id"):
        history.setdefault(event.registration_id, []).append(
            {"from": event.from_status, "to": event.to_status, "at": event.created_at.isoformat(), "note": event.note}
        )
    attendance: dict[int, list[dict[str, Any]]] = {}
    for mark in Attendance.objects.filter(registration__user=user).select_related("slot"):
        attendance.setdefault(mark.registration_id, []).append(
            {"half_day": mark.slot.starts_at.isoformat(), "status": mark.status}
        )
    return {
        "registrations": [
            {
                "course": r.session.title,
                "session_starts_at": r.session.starts_at.isoformat() if r.session.starts_at else None,
                "status": r.status,
                "registered_at": r.created_at.isoformat(),
                "history": history.get(r.pk, []),
                "attendance": attendance.get(r.pk, []),
            }
            for r in registrations
        ],
        "completions": [
            {
                "course": c.course.title,
                "completed_at": c.completed_at.isoformat(),
                "attendance_rate": c.attendance_rate,
                "outcomes": c.outcomes,
            }
            for c in Completion.objects.filter(user=user).select_related("course")
        ],
    }


def anonymise(user: Any) -> dict[str, int]:
    """Registrations, attendance and completions stay (they are the programme's figures);
    free-text notes on the person's history go."""
    return {"history_notes_cleared": RegistrationEvent.objects.filter(registration__user=user).update(note="")}
