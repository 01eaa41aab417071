"""Permissions of the network (registered when the app is ready)."""

from __future__ import annotations

from typing import Any

import rules

from essaim.accounts import roles
from essaim.accounts.models import Role
from essaim.accounts.rules import is_authenticated, is_lab_coordinator, is_organiser, is_programme_admin


@rules.predicate
def is_requester(user: Any, request: Any) -> bool:
    return request is not None and getattr(request, "requester_id", None) == user.pk


@rules.predicate
def is_invited(user: Any, invitation: Any) -> bool:
    return invitation is not None and getattr(invitation, "facilitator_id", None) == user.pk


@rules.predicate
def is_coordinator_of_pilot(user: Any, pilot: Any) -> bool:
    """Coordinators of the pilot's own lab (or above it): another lab's cannot act on it."""
    return pilot is not None and roles.holds_role_over(user, Role.LAB_COORDINATOR, getattr(pilot, "lab", None))


@rules.predicate
def is_proposer(user: Any, pilot: Any) -> bool:
    return pilot is not None and getattr(pilot, "proposer_id", None) == user.pk


@rules.predicate
def is_accepted_pilot(user: Any, pilot: Any) -> bool:
    return pilot is not None and bool(getattr(pilot, "is_accepted", False))


rules.add_perm("network.view_directory", is_authenticated)
rules.add_perm("network.add_request", is_authenticated)
rules.add_perm("network.view_request", is_authenticated & (is_requester | is_programme_admin))
rules.add_perm("network.invite", is_authenticated & is_requester)
rules.add_perm("network.answer_invitation", is_authenticated & is_invited)
# Organisers and lab coordinators see the gaps with small counts suppressed; admins see all.
rules.add_perm("network.view_gaps", is_authenticated & (is_programme_admin | is_organiser | is_lab_coordinator))
rules.add_perm("network.view_exact_gaps", is_authenticated & is_programme_admin)
rules.add_perm("network.view_turnover", is_authenticated & is_programme_admin)
# A trainer who is not in the directory is shown to those who schedule sessions only.
rules.add_perm("network.view_unlisted_trainer", is_authenticated & (is_programme_admin | is_organiser))
rules.add_perm("network.propose_pilot", is_authenticated)
rules.add_perm(
    "network.view_pilot",
    is_authenticated & (is_accepted_pilot | is_proposer | is_coordinator_of_pilot | is_programme_admin),
)
rules.add_perm("network.manage_pilot", is_authenticated & (is_coordinator_of_pilot | is_programme_admin))
