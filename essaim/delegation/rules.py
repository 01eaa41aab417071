"""Permissions of the delegation (registered when the app is ready).

Only programme admins run the call and the selection: a ministry's organiser, who would
judge their own people against other ministries', may not.
"""

from __future__ import annotations

import rules

from essaim.accounts.rules import is_authenticated, is_programme_admin, owns

rules.add_perm("delegation.manage_call", is_authenticated & is_programme_admin)
rules.add_perm("delegation.view_application", is_authenticated & (owns | is_programme_admin))
rules.add_perm("delegation.change_application", is_authenticated & owns)
