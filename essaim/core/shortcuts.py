"""One answer for "absent" and "not yours": a person who may not see an object gets the
same 404 as for an object that does not exist, so that identifiers cannot be probed.
A 403 stays for someone who may see the object but not do this to it."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404


def require_or_404(user: Any, perm: str, obj: Model | None) -> None:
    if not user.has_perm(perm, obj):
        raise Http404


def get_object_for_user_or_404(queryset: type[Model] | QuerySet[Any], *, user: Any, perm: str, **lookup: Any) -> Any:
    obj = get_object_or_404(queryset, **lookup)
    require_or_404(user, perm, obj)
    return obj
