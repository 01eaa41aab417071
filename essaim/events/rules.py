"""Who may manage events: programme admins, and organisers (or lab coordinators) of the
organisation running the event's seats — the same rule as for a training session."""

from __future__ import annotations

from typing import Any

import rules

from essaim.accounts.rules import (
    is_authenticated,
    is_lab_coordinator,
    is_organiser,
    is_organiser_of_session,
    is_programme_admin,
)


@rules.predicate
def is_organiser_of_event(user: Any, event: Any) -> bool:
    return event is not None and bool(is_organiser_of_session(user, event.session))


rules.add_perm("events.add_event", is_authenticated & (is_programme_admin | is_organiser | is_lab_coordinator))
rules.add_perm("events.manage_event", is_authenticated & (is_programme_admin | is_organiser_of_event))
