"""Who may do what with the competency framework (autodiscovered by `rules`).

Published versions are open data: anyone reads them, no permission is asked. Drafts and
the life cycle (import, publish, new draft) belong to programme admins.
"""

from __future__ import annotations

import rules

from essaim.accounts.rules import is_programme_admin

rules.add_perm("framework.view_draft", is_programme_admin)
rules.add_perm("framework.import_framework", is_programme_admin)
rules.add_perm("framework.publish_framework", is_programme_admin)
rules.add_perm("framework.create_draft", is_programme_admin)
