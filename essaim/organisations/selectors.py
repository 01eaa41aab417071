"""Reads about organisations."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from essaim.accounts.models import User
from essaim.organisations.models import Affiliation, Organisation


def organisation_list(*, kind: str = "", region: str = "", query: str = "") -> QuerySet[Organisation]:
    qs = Organisation.objects.active().select_related("region", "parent")
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(region_id=region)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(short_name__icontains=query))
    return qs.order_by("name")


def organisation_children(*, organisation: Organisation) -> QuerySet[Organisation]:
    return organisation.children.active().annotate(member_count=Count("members")).order_by("name")


def organisation_members(*, organisation: Organisation) -> QuerySet[User]:
    """People whose current post is in this organisation or below it."""
    return (
        User.objects.filter(is_active=True, organisation__path__startswith=organisation.path)
        .select_related("organisation")
        .order_by("usual_name", "given_name", "id")
    )


def affiliation_history(*, user: Any) -> QuerySet[Affiliation]:
    return Affiliation.objects.filter(user=user).select_related("organisation").order_by("-start_date", "-id")
