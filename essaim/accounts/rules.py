"""Every permission in Essaim, in one place. Views, API and admin all ask these rules.

A permission is checked against an object: an organiser of the Ministry of the Interior
may see the Interior's members, not the Armed Forces'. Organisers and lab coordinators
reach their organisation and everything below it in the tree.

Roles: visitor (anonymous), agent (any logged-in civil servant), trainer, organiser
(scoped), lab coordinator (scoped), partner (scoped), programme admin (global).
"""

from __future__ import annotations

from typing import Any

import rules

from essaim.accounts import roles
from essaim.accounts.models import Role


def _org_of(obj: Any) -> Any:
    """The organisation an object belongs to: itself, or its `organisation` attribute."""
    if obj is None:
        return None
    if obj.__class__.__name__ == "Organisation":
        return obj
    return getattr(obj, "organisation", None) or getattr(obj, "organiser", None)


@rules.predicate
def is_authenticated(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_programme_admin(user: Any) -> bool:
    return roles.is_programme_admin(user)


@rules.predicate
def is_trainer(user: Any) -> bool:
    return roles.has_role(user, Role.TRAINER)


@rules.predicate
def is_organiser(user: Any) -> bool:
    return roles.has_role(user, Role.ORGANISER)


@rules.predicate
def is_lab_coordinator(user: Any) -> bool:
    return roles.has_role(user, Role.LAB_COORDINATOR)


@rules.predicate
def is_partner(user: Any) -> bool:
    return roles.has_role(user, Role.PARTNER)


@rules.predicate
def is_organiser_of(user: Any, obj: Any) -> bool:
    return roles.holds_role_over(user, Role.ORGANISER, _org_of(obj))


@rules.predicate
def is_lab_coordinator_of(user: Any, obj: Any) -> bool:
    return roles.holds_role_over(user, Role.LAB_COORDINATOR, _org_of(obj))


@rules.predicate
def is_partner_of(user: Any, obj: Any) -> bool:
    return roles.holds_role_over(user, Role.PARTNER, _org_of(obj))


@rules.predicate
def is_self(user: Any, obj: Any) -> bool:
    # Same class too: an organisation whose id happens to equal the user's is not "self".
    return obj is not None and isinstance(obj, type(user)) and obj.pk == user.pk


@rules.predicate
def owns(user: Any, obj: Any) -> bool:
    return obj is not None and getattr(obj, "user_id", None) == getattr(user, "pk", object())


@rules.predicate
def is_staff_of_organisation(user: Any, obj: Any) -> bool:
    """Organisers and lab coordinators of the object's organisation (or above it)."""
    return is_organiser_of(user, obj) or is_lab_coordinator_of(user, obj)


# Back office ------------------------------------------------------------------------
rules.add_perm("core.access_backoffice", is_programme_admin | is_organiser | is_lab_coordinator)
rules.add_perm("core.view_auditlog", is_programme_admin)

# Organisations ----------------------------------------------------------------------
rules.add_perm("organisations.view_organisation", rules.always_allow)
rules.add_perm(
    "organisations.change_organisation",
    is_authenticated & (is_programme_admin | is_staff_of_organisation | is_partner_of),
)
rules.add_perm("organisations.add_organisation", is_programme_admin)
rules.add_perm("organisations.view_members", is_authenticated & (is_programme_admin | is_staff_of_organisation))

# People -----------------------------------------------------------------------------
rules.add_perm("accounts.view_user", is_authenticated & (is_self | is_programme_admin | is_staff_of_organisation))
rules.add_perm("accounts.change_user", is_authenticated & (is_self | is_programme_admin))
rules.add_perm("accounts.manage_roles", is_programme_admin)
rules.add_perm("accounts.add_apitoken", is_authenticated)
rules.add_perm("accounts.view_apitoken", is_authenticated & (owns | is_programme_admin))
rules.add_perm("accounts.revoke_apitoken", is_authenticated & (owns | is_programme_admin))


# Training -----------------------------------------------------------------------------
@rules.predicate
def is_organiser_of_session(user: Any, session: Any) -> bool:
    """Organisers (or lab coordinators) of the organisation running the session, or above it."""
    organiser = getattr(session, "organiser", None)
    return is_organiser_of(user, organiser) or is_lab_coordinator_of(user, organiser)


@rules.predicate
def is_trainer_of_session(user: Any, session: Any) -> bool:
    return session is not None and session.trainers.filter(pk=user.pk).exists()


rules.add_perm("training.manage_session", is_authenticated & (is_programme_admin | is_organiser_of_session))
rules.add_perm(
    "training.take_attendance",
    is_authenticated & (is_programme_admin | is_organiser_of_session | is_trainer_of_session),
)


# Practice log -------------------------------------------------------------------------
@rules.predicate
def is_staff_of_entry_author(user: Any, entry: Any) -> bool:
    author = getattr(entry, "user", None)
    return is_staff_of_organisation(user, getattr(author, "organisation", None))


rules.add_perm("practice.view_entry", is_authenticated & (owns | is_programme_admin | is_staff_of_entry_author))
rules.add_perm(
    "practice.confirm_entry",
    is_authenticated & ~owns & (is_programme_admin | is_trainer | is_staff_of_entry_author),
)


def acting_role(user: Any, obj: Any = None) -> str:
    """In which capacity `user` acts on `obj`, for the audit log."""
    if user is None:
        return "system"
    # Acting on one's own record is acting as oneself, whatever other roles one holds
    # (and it spares the role lookup on the hot sign-up path).
    if obj is not None and (is_self(user, obj) or owns(user, obj)):
        return "self"
    if roles.is_programme_admin(user):
        return Role.PROGRAMME_ADMIN.value
    if obj is not None:
        if is_organiser_of(user, obj):
            return Role.ORGANISER.value
        if is_lab_coordinator_of(user, obj):
            return Role.LAB_COORDINATOR.value
        if is_partner_of(user, obj):
            return Role.PARTNER.value
        if obj.__class__.__name__ == "Session" and is_trainer_of_session(user, obj):
            return Role.TRAINER.value
    return "agent" if is_authenticated(user) else "visitor"
