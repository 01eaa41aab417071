"""Who may do what in the resource library (loaded by rules' autodiscovery).

- view: a published public resource, anybody; a published agents-only one, signed-in people;
  anything else, its contributor and the moderators.
- moderate: programme admins (the moderators of the library).
- change: moderators, and the contributor while it is not published or rejected.
"""

from __future__ import annotations

from typing import Any

import rules

from essaim.accounts.rules import is_authenticated, is_programme_admin


@rules.predicate
def is_contributor(user: Any, resource: Any) -> bool:
    return resource is not None and resource.contributor_id is not None and resource.contributor_id == user.pk


@rules.predicate
def is_published_for_everyone(user: Any, resource: Any) -> bool:
    return resource is not None and resource.status == "published" and resource.visibility == "public"


@rules.predicate
def is_published_for_agents(user: Any, resource: Any) -> bool:
    return resource is not None and resource.status == "published" and resource.visibility == "agents"


@rules.predicate
def is_editable_by_contributor(user: Any, resource: Any) -> bool:
    return resource is not None and resource.status in {"draft", "changes_requested", "submitted"}


is_library_moderator = is_authenticated & is_programme_admin

rules.add_perm(
    "library.view_resource",
    is_published_for_everyone | (is_authenticated & (is_published_for_agents | is_contributor | is_library_moderator)),
)
rules.add_perm("library.add_resource", is_authenticated)
rules.add_perm(
    "library.change_resource",
    is_authenticated & (is_library_moderator | (is_contributor & is_editable_by_contributor)),
)
rules.add_perm("library.moderate_resource", is_library_moderator)
rules.add_perm("library.report_resource", is_authenticated)
rules.add_perm("library.give_feedback", is_authenticated & ~is_contributor)


@rules.predicate
def owns_collection(user: Any, collection: Any) -> bool:
    return collection is not None and collection.owner_id == getattr(user, "pk", None)


@rules.predicate
def is_public_collection(user: Any, collection: Any) -> bool:
    return collection is not None and collection.is_public


rules.add_perm(
    "library.view_collection", is_public_collection | (is_authenticated & (owns_collection | is_library_moderator))
)
