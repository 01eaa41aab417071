"""Who holds which role where. Loaded once per request and cached on the user object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from essaim.accounts.models import Role, RoleAssignment


@dataclass(frozen=True, slots=True)
class HeldRole:
    role: str
    organisation_id: int | None
    organisation_path: str


def held_roles(user: Any) -> tuple[HeldRole, ...]:
    """The user's active roles. One query the first time, then cached on the instance."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ()
    cached = getattr(user, "_essaim_roles", None)
    if cached is None:
        rows = (
            RoleAssignment.objects.active()
            .filter(user=user)
            .values_list("role", "organisation_id", "organisation__path")
        )
        cached = tuple(HeldRole(role, org_id, path or "") for role, org_id, path in rows)
        user._essaim_roles = cached
    return cached


def forget_roles(user: Any) -> None:
    if hasattr(user, "_essaim_roles"):
        del user._essaim_roles


def has_role(user: Any, role: str) -> bool:
    return any(held.role == role for held in held_roles(user))


def is_programme_admin(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser) or has_role(user, Role.PROGRAMME_ADMIN)


def holds_role_over(user: Any, role: str, organisation: Any) -> bool:
    """True when the user holds `role` on `organisation` or on one of its ancestors."""
    if organisation is None or not getattr(organisation, "path", ""):
        return False
    return any(
        held.role == role and held.organisation_path and organisation.path.startswith(held.organisation_path)
        for held in held_roles(user)
    )


def scopes(user: Any, role: str) -> list[int]:
    """Ids of the organisations on which the user holds `role` (tops of their scope)."""
    return [held.organisation_id for held in held_roles(user) if held.role == role and held.organisation_id]


def role_labels(user: Any) -> list[str]:
    """Human-readable roles for display ("Organisateur — DGFiP")."""
    labels = {choice.value: choice.label for choice in Role}
    return sorted({str(labels.get(held.role, held.role)) for held in held_roles(user)})
