"""The network's part of a person's data (export and erasure).

Discovered by `core.personal_data` (module name convention) once merged with it: the
functions only read or write this app's tables.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from essaim.network.models import (
    CoFacilitation,
    ContactMessage,
    DirectoryProfile,
    FacilitationRequest,
    Invitation,
    Pilot,
    PilotFacilitation,
    PilotMember,
)


def export(user: Any) -> dict[str, Any]:
    profile = DirectoryProfile.objects.filter(user=user).first()
    return {
        "directory_profile": (
            {
                "consent": profile.consent,
                "consented_at": profile.consented_at.isoformat() if profile.consented_at else None,
                "availability": profile.availability,
                "languages": profile.languages,
                "bio": profile.bio,
                "skills": [{"competency": s.competency_code, "level_rank": s.level_rank} for s in profile.skills.all()],
            }
            if profile
            else None
        ),
        "messages_sent": [
            {"at": m.created_at.isoformat(), "subject": m.subject, "body": m.body}
            for m in ContactMessage.objects.filter(sender=user).order_by("created_at")
        ],
        "messages_received": [
            {"at": m.created_at.isoformat(), "subject": m.subject, "body": m.body}
            for m in ContactMessage.objects.filter(recipient=user).order_by("created_at")
        ],
        "requests": [
            {"topic": r.topic, "date": r.date.isoformat(), "method": r.competency_code}
            for r in FacilitationRequest.objects.filter(requester=user).order_by("created_at")
        ],
        "invitations": [
            {"topic": i.request.topic, "date": i.request.date.isoformat(), "status": i.status}
            for i in Invitation.objects.filter(facilitator=user).select_related("request").order_by("created_at")
        ],
        "cofacilitations": [
            {"session": c.session_id, "confirmed": c.confirmed_at is not None}
            for c in CoFacilitation.objects.filter(trainee=user).order_by("created_at")
        ],
        "pilot_proposals": [
            {"lab": str(p.lab), "title": p.title, "problem": p.problem, "solution": p.solution, "status": p.status}
            for p in Pilot.objects.filter(proposer=user).select_related("lab").order_by("created_at")
        ],
        "pilot_teams": [
            {"pilot": m.pilot.title, "role": m.role}
            for m in PilotMember.objects.filter(user=user).select_related("pilot").order_by("created_at")
        ],
        "pilot_workshops_facilitated": [
            {"pilot": f.workshop.pilot.title, "workshop": f.workshop.title, "date": f.workshop.date.isoformat()}
            for f in PilotFacilitation.objects.filter(facilitator=user).select_related("workshop__pilot")
        ],
    }


def anonymise(user: Any) -> dict[str, int]:
    """Out of the directory at once; messages' words go; requests and invitations stay
    counted (they measure the network's activity) without their free text."""
    profiles, _detail = DirectoryProfile.objects.filter(user=user).delete()
    messages = ContactMessage.objects.filter(Q(sender=user) | Q(recipient=user)).update(subject="", body="")
    requests = FacilitationRequest.objects.filter(requester=user).update(topic="", place="")
    # A lab's pilot belongs to the lab: it stays, without its proposer or this team member.
    proposals = Pilot.objects.filter(proposer=user).update(proposer=None)
    memberships, _detail = PilotMember.objects.filter(user=user).delete()
    return {
        "directory_profiles_deleted": profiles,
        "messages_cleared": messages,
        "requests_cleared": requests,
        "pilot_proposals_unlinked": proposals,
        "pilot_memberships_deleted": memberships,
    }
