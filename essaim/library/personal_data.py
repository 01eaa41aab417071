"""The library: what a person contributed, reported, rated, collected."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from essaim.library.models import Collection, Resource, ResourceFeedback, ResourceReport


def export(user: Any) -> dict[str, Any]:
    return {
        "contributions": [
            {"title": r.title, "status": r.status, "created_at": r.created_at.isoformat()}
            for r in Resource.objects.filter(contributor=user).order_by("created_at")
        ],
        "feedback": [
            {"resource": f.resource.title, "rating": f.rating, "comment": f.comment, "at": f.created_at.isoformat()}
            for f in ResourceFeedback.objects.filter(user=user).select_related("resource")
        ],
        "reports": [
            {"resource": r.resource.title, "reason": r.reason, "comment": r.comment, "at": r.created_at.isoformat()}
            for r in ResourceReport.objects.filter(user=user).select_related("resource")
        ],
        "collections": [
            {"title": c.title, "description": c.description, "items": c.item_count}
            for c in Collection.objects.filter(owner=user).annotate(item_count=Count("items"))
        ],
    }


def anonymise(user: Any) -> dict[str, int]:
    """Published resources stay (they are shared work, credited in their `authors` text as
    published); the person's own words in feedback and reports go, ratings stay counted;
    their collections go."""
    return {
        "feedback_comments_cleared": ResourceFeedback.objects.filter(user=user).update(comment=""),
        "report_comments_cleared": ResourceReport.objects.filter(user=user).update(comment=""),
        "collections_deleted": Collection.objects.filter(owner=user).delete()[0],
    }
