"""Who may do what with credentials (loaded by CredentialsConfig.ready)."""

from __future__ import annotations

import rules

from essaim.accounts.rules import (
    is_authenticated,
    is_organiser_of_session,
    is_programme_admin,
    is_trainer_of_session,
    owns,
)

rules.add_perm("credentials.view_credential", is_authenticated & (owns | is_programme_admin))
rules.add_perm("credentials.revoke_credential", is_authenticated & is_programme_admin)
# The trainers of a session download the attestations they issued by closing it.
rules.add_perm(
    "credentials.download_session_attestations",
    is_authenticated & (is_programme_admin | is_organiser_of_session | is_trainer_of_session),
)
