"""Permissions of the network (registered when the app is ready)."""

from __future__ import annotations

from typing import Any

import rules

from essaim.accounts.rules import is_authenticated, is_programme_admin


@rules.predicate
def is_requester(user: Any, request: Any) -> bool:
    return request is not None and getattr(request, "requester_id", None) == user.pk


@rules.predicate
def is_invited(user: Any, invitation: Any) -> bool:
    return invitation is not None and getattr(invitation, "facilitator_id", None) == user.pk


rules.add_perm("network.view_directory", is_authenticated)
rules.add_perm("network.add_request", is_authenticated)
rules.add_perm("network.view_request", is_authenticated & (is_requester | is_programme_admin))
rules.add_perm("network.invite", is_authenticated & is_requester)
rules.add_perm("network.answer_invitation", is_authenticated & is_invited)
rules.add_perm("network.view_gaps", is_authenticated & is_programme_admin)
