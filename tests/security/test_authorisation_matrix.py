"""The authorisation matrix: every route (Django URL resolver + the API's OpenAPI schema) ×
every role, on objects owned by the requester, by another person and by another ministry.

Each route must have at least one row in ROUTES (HTML) or API_ROUTES (API): a new URL
without a row fails `test_every_route_is_classified`. Adding one is a one-liner:

    R("app:url-name", ALLOWED_ROLES, kwargs=lambda w: {"pk": w.some_object.pk}, case="whose object"),

`w` is the world of tests/security/world.py (add the object you need there). ALLOWED_ROLES is
a set of role names (shorthands below). A request succeeds when it answers < 300 (or, to a
write, 400/422: past the permission check, input refused), or redirects anywhere but the
login page; it is refused on 401/403/404/405 or a redirect to the login page. A write row
(method="post", "put", "delete") also proves that a refused role changed nothing: no audit
entry is written and `state(w)`, when given, reads the same before and after; with
`changes=True`, a role succeeds only if `state(w)` changed. Each write runs in a savepoint
rolled back afterwards, so rows do not disturb each other.

The matrix is written to var/authorisation-matrix.txt and shown in the run's terminal summary
(tests/security/conftest.py), so it appears in CI logs.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from essaim.core.models import AuditEntry
from essaim.credentials.models import SigningKey
from essaim.library.models import Resource
from essaim.network.models import CoFacilitation, FacilitationRequest
from tests.security.world import ROLES, World, build_world

pytestmark = pytest.mark.django_db

ALL = frozenset(ROLES)
SIGNED_IN = ALL - {"anonymous"}
NOBODY: frozenset[str] = frozenset()
ADMIN = frozenset({"programme_admin"})
BACKOFFICE = frozenset({"organiser", "lab_coordinator", "programme_admin"})
ORGANISER_A = frozenset({"organiser", "programme_admin"})  # the organiser is organiser of ministry A
AGENT = frozenset({"agent"})


@dataclass(frozen=True)
class R:
    name: str  # URL name (HTML) or operationId (API)
    allowed: frozenset[str]
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    method: str = "get"
    case: str = ""
    data: Callable[[World], dict[str, Any]] | dict[str, Any] | None = None
    state: Callable[[World], Any] | None = None
    changes: bool = False
    query: str = ""


def _pk(obj_name: str, key: str = "pk") -> Callable[[World], dict[str, Any]]:
    return lambda w: {key: getattr(w, obj_name).pk}


def _status_of(obj_name: str) -> Callable[[World], Any]:
    def read(w: World) -> Any:
        obj = getattr(w, obj_name)
        return type(obj).objects.filter(pk=obj.pk).values().first()

    return read


# --- HTML routes -----------------------------------------------------------------------------


def _issuer_multibase() -> str:
    from essaim.credentials.integrity import _multibase

    return _multibase()


ROUTES: list[R] = [
    # core and footer pages
    R("core:home", ALL),
    R("core:healthz", ALL),
    R("core:audit-log", ADMIN),
    R("footer-accessibility-status", ALL),
    R("footer-legal-notice", ALL),
    R("footer-personal-data", ALL),
    R("footer-sitemap", ALL),
    R("footer-cookie-management", ALL),
    R("metrics", NOBODY, case="no METRICS_TOKEN: off"),
    R("set_language", ALL, method="post", data={"language": "en"}),
    R("javascript-catalog", ALL),
    # accounts
    R("accounts:login", ALL),
    R("accounts:proconnect-login", ALL, case="redirects to ProConnect"),
    R("accounts:proconnect-callback", NOBODY, case="no OIDC state"),
    R("accounts:magic-link-sent", ALL),
    R("accounts:magic-link", ALL, kwargs=lambda w: {"token": "jeton-invente"}, case="forged token: error page"),
    R("accounts:proconnect-link", ALL, kwargs=lambda w: {"token": "jeton-invente"}, case="shows a button"),
    R("accounts:logout", ALL, method="post"),
    R("accounts:logged-out", ALL),
    R("accounts:profile", SIGNED_IN),
    R("accounts:api-tokens", SIGNED_IN),
    R("accounts:my-data", SIGNED_IN),
    R("accounts:my-data-download", SIGNED_IN),
    R("accounts:my-data-erase", SIGNED_IN, method="post", case="no confirmation: form shown again"),
    R(
        "accounts:api-token-revoke",
        AGENT | ADMIN,
        kwargs=_pk("agent_token"),
        method="post",
        case="the agent's token",
        state=_status_of("agent_token"),
        changes=True,
    ),
    R(
        "accounts:api-token-revoke",
        ADMIN,
        kwargs=_pk("other_token"),
        method="post",
        case="another person's token",
        state=_status_of("other_token"),
        changes=True,
    ),
    # organisations
    R("organisations:list", ALL),
    R("organisations:detail", ALL, kwargs=lambda w: {"slug": w.ministry.slug}),
    R("organisations:members", ORGANISER_A, kwargs=lambda w: {"slug": w.ministry.slug}, case="ministry A"),
    R("organisations:members", ORGANISER_A, kwargs=lambda w: {"slug": w.directorate.slug}, case="under A"),
    R("organisations:members", ADMIN, kwargs=lambda w: {"slug": w.other_ministry.slug}, case="ministry B"),
    R("organisations:members", {"lab_coordinator"} | ADMIN, kwargs=lambda w: {"slug": w.lab.slug}, case="the lab"),
    R("organisations:edit", ORGANISER_A, kwargs=lambda w: {"slug": w.ministry.slug}, case="ministry A"),
    R("organisations:edit", ADMIN, kwargs=lambda w: {"slug": w.other_ministry.slug}, case="ministry B"),
    R(
        "organisations:edit",
        ADMIN,
        kwargs=lambda w: {"slug": w.other_ministry.slug},
        method="post",
        case="ministry B",
        data={"name": "Piraté"},
        state=_status_of("other_ministry"),
    ),
    R(
        "organisations:edit",
        {"partner"} | ADMIN,
        kwargs=lambda w: {"slug": w.partner_org.slug},
        case="the partner's own",
    ),
    # framework
    R("framework:current", ALL),
    R("framework:import", ADMIN),
    R("framework:detail", ALL, kwargs=lambda w: {"version": w.framework.version}, case="published"),
    R("framework:detail", ADMIN, kwargs=lambda w: {"version": w.draft_framework.version}, case="draft"),
    R("framework:export-json", ALL, kwargs=lambda w: {"version": w.framework.version}, case="published"),
    R("framework:export-csv", ALL, kwargs=lambda w: {"version": w.framework.version}, case="published"),
    R(
        "framework:publish",
        ADMIN,
        kwargs=lambda w: {"version": w.draft_framework.version},
        method="post",
        state=_status_of("draft_framework"),
    ),
    R("framework:new-draft", ADMIN, kwargs=lambda w: {"version": w.framework.version}, method="post"),
    # catalogue
    R("catalogue:path", ALL),
    R("catalogue:detail", ALL, kwargs=lambda w: {"code": w.course.code}, case="published"),
    R("catalogue:detail", NOBODY, kwargs=lambda w: {"code": w.draft_course.code}, case="draft: not public"),
    # training (people)
    R("training:list", ALL),
    R("training:mine", SIGNED_IN),
    R("training:schedule", BACKOFFICE),
    R("training:detail", ALL, kwargs=_pk("session_a"), case="published session"),
    R(
        "training:register",
        SIGNED_IN - AGENT,
        kwargs=_pk("session_b"),
        method="post",
        case="session B",
        state=lambda w: w.session_b.registrations.count(),
        changes=True,
    ),
    R(
        "training:cancel",
        AGENT,
        kwargs=_pk("registration_own"),
        method="post",
        case="own registration",
        state=_status_of("registration_own"),
        changes=True,
    ),
    R(
        "training:cancel",
        NOBODY,
        kwargs=_pk("registration_b"),
        method="post",
        case="another person's",
        state=_status_of("registration_b"),
    ),
    R("training:accept-offer", NOBODY, kwargs=_pk("registration_b"), method="post", case="another person's"),
    R("training:check-in", NOBODY, kwargs=lambda w: {"token": "jeton-invente"}, case="forged token"),
    R("training:calendar", AGENT, kwargs=_pk("session_a"), case="session where one holds a seat"),
    R("training:calendar", NOBODY, kwargs=_pk("session_b"), case="another person's seat"),
    R("training:calendar-feed", NOBODY, kwargs=lambda w: {"token": "jeton-invente"}, case="forged token"),
    R(
        "training:calendar-feed-manage",
        SIGNED_IN,
        method="post",
        data={"action": "rotate"},
        case="own calendar address",
    ),
    # training (back office)
    R("training_admin:list", BACKOFFICE | {"trainer"}),
    R("training_admin:planning", ADMIN),
    *[
        R(f"training_admin:{name}", ORGANISER_A, kwargs=_pk("session_a"), case="session of A")
        for name in ("export", "message", "venue")
    ],
    *[
        R(f"training_admin:{name}", ORGANISER_A | {"trainer"}, kwargs=_pk("session_a"), case="session of A, trainer's")
        for name in ("detail", "attendance")
    ],
    *[
        R(f"training_admin:{name}", ADMIN, kwargs=_pk("session_b"), case="session of B")
        for name in ("detail", "export", "message", "venue", "attendance")
    ],
    R(
        "training_admin:capacity",
        ADMIN,
        kwargs=_pk("session_b"),
        method="post",
        case="session of B",
        data={"capacity-capacity": 9},
        state=_status_of("session_b"),
        changes=True,
    ),
    R(
        "training_admin:capacity",
        ORGANISER_A,
        kwargs=_pk("session_a"),
        method="post",
        case="session of A",
        data={"capacity-capacity": 9},
        state=_status_of("session_a"),
        changes=True,
    ),
    R(
        "training_admin:cancel",
        ADMIN,
        kwargs=_pk("session_b"),
        method="post",
        case="session of B",
        data={"cancel-reason": "Annulée pour le test de la matrice."},
        state=_status_of("session_b"),
    ),
    R(
        "training_admin:close",
        ADMIN,
        kwargs=_pk("session_b"),
        method="post",
        case="session of B",
        state=_status_of("session_b"),
    ),
    R(
        "training_admin:checkin-code",
        ORGANISER_A | {"trainer"},
        kwargs=lambda w: {"pk": w.session_a.pk, "slot_pk": w.slot_a.pk},
        case="session of A",
    ),
    *[
        R(
            f"training_admin:{name}",
            ADMIN,
            kwargs=_pk("registration_b"),
            method="post",
            case="registration in B",
            state=_status_of("registration_b"),
        )
        for name in ("approve", "decline", "cancel-registration", "move")
    ],
    # session editing (issue 17): managers only; someone else gets the 404 of a missing session
    *[
        R(f"training_admin:{name}", ORGANISER_A, kwargs=_pk("session_a"), case="session of A")
        for name in ("edit", "timetable", "trainers")
    ],
    *[
        R(f"training_admin:{name}", ADMIN, kwargs=_pk("session_b"), case="session of B")
        for name in ("edit", "timetable", "trainers")
    ],
    *[
        R(
            f"training_admin:{name}",
            ADMIN,
            kwargs=_pk("session_b"),
            method="post",
            case="session of B",
            state=_status_of("session_b"),
        )
        for name in ("publish", "unpublish", "edit", "timetable", "trainers")
    ],
    R(
        "training_admin:approve-many",
        ADMIN,
        kwargs=_pk("session_b"),
        method="post",
        data=lambda w: {"registration": [w.registration_b.pk]},
        case="requests of B",
        state=_status_of("registration_b"),
    ),
    # network
    R("network:directory", SIGNED_IN),
    R("network:person", SIGNED_IN, kwargs=_pk("profile_trainer"), case="a listed person"),
    R("network:person", NOBODY, kwargs=_pk("profile_unlisted"), case="an unlisted person"),
    R("network:my-profile", SIGNED_IN),
    R(
        "network:cofacilitation-declare",
        NOBODY,
        method="post",
        data=lambda w: {"pair": f"{w.session_b.pk}:{w.admin.pk}"},
        case="a session one did not co-facilitate",
        state=lambda w: CoFacilitation.objects.count(),
        changes=True,
    ),
    R(
        "network:cofacilitation-confirm",
        {"trainer"},
        kwargs=_pk("cofacilitation_trainer"),
        method="post",
        case="the trainer is the mentor",
        state=_status_of("cofacilitation_trainer"),
        changes=True,
    ),
    R(
        "network:cofacilitation-confirm",
        ADMIN,
        kwargs=_pk("cofacilitation_other"),
        method="post",
        case="another mentor's",
        state=_status_of("cofacilitation_other"),
    ),
    R("network:trainer", SIGNED_IN, kwargs=_pk("trainer"), case="a trainer listed in the directory"),
    R("network:requests", SIGNED_IN),
    R("network:request", AGENT | ADMIN, kwargs=_pk("request_own"), case="the agent's request"),
    R("network:request", ADMIN, kwargs=_pk("request_other"), case="another person's"),
    R("network:invitations", SIGNED_IN),
    R(
        "network:invitation-answer",
        {"trainer"},
        kwargs=_pk("invitation_trainer"),
        method="post",
        data={"answer": "accept"},
        case="invitation to the trainer",
        state=_status_of("invitation_trainer"),
    ),
    R(
        "network:invitation-done",
        NOBODY,
        kwargs=_pk("invitation_other"),
        method="post",
        case="another person's invitation",
        state=_status_of("invitation_other"),
    ),
    R("network:gaps", BACKOFFICE, case="organisers and lab coordinators see small counts hidden"),
    R("network:turnover", ADMIN),
    # lab pilots
    R("network:pilots", ALL, kwargs=lambda w: {"slug": w.lab.slug}, case="accepted pilots: public, like the lab"),
    R("network:my-proposals", SIGNED_IN),
    R("network:pilot-propose", SIGNED_IN, kwargs=lambda w: {"slug": w.lab.slug}),
    R("network:pilot", SIGNED_IN, kwargs=lambda w: {"slug": w.lab.slug, "pk": w.pilot.pk}, case="accepted pilot"),
    R(
        "network:pilot",
        {"lab_coordinator"} | ADMIN,
        kwargs=lambda w: {"slug": w.lab.slug, "pk": w.proposal_other.pk},
        case="another person's proposal",
    ),
    *[
        R(
            f"network:pilot-{name}",
            {"lab_coordinator"} | ADMIN,
            kwargs=lambda w: {"slug": w.lab.slug, "pk": w.pilot.pk},
            method="post",
            case="the lab's pilot",
            state=_status_of("pilot"),
        )
        for name in ("advance", "member", "describe", "workshop", "publish")
    ],
    R(
        "network:pilot-decide",
        {"lab_coordinator"} | ADMIN,
        kwargs=lambda w: {"slug": w.lab.slug, "pk": w.proposal_other.pk},
        method="post",
        data={"decision": "accept"},
        case="a proposal to the lab",
        state=_status_of("proposal_other"),
    ),
    R(
        "network:pilot-workshop-held",
        NOBODY,
        kwargs=lambda w: {"slug": w.lab.slug, "pk": w.pilot.pk, "workshop_pk": 999999},
        method="post",
        case="a workshop of another pilot",
    ),
    # events and partners
    R("events:list", ALL),
    R("events:detail", ALL, kwargs=lambda w: {"slug": w.event_a.slug}),
    R(
        "events:register",
        SIGNED_IN,
        kwargs=lambda w: {"slug": w.event_b.slug},
        method="post",
        state=lambda w: w.event_b.session.registrations.count(),
        changes=True,
    ),
    R("events_admin:list", BACKOFFICE),
    R("events_admin:create", BACKOFFICE),
    R("events_admin:edit", ORGANISER_A, kwargs=_pk("event_a"), case="event of A"),
    R("events_admin:edit", ADMIN, kwargs=_pk("event_b"), case="event of B"),
    R(
        "events_admin:edit",
        ADMIN,
        kwargs=_pk("event_b"),
        method="post",
        data={"title": "Piraté"},
        case="event of B",
        state=_status_of("event_b"),
    ),
    R("partners:list", ALL),
    R("partners:detail", ALL, kwargs=lambda w: {"slug": w.partner_org.slug}),
    R("partners:detail", NOBODY, kwargs=lambda w: {"slug": w.ministry.slug}, case="a ministry: not a partner"),
    R("training_admin:partners", ORGANISER_A, kwargs=_pk("session_a"), case="session of A"),
    R("training_admin:partners", ADMIN, kwargs=_pk("session_b"), case="session of B"),
    R(
        "training_admin:partners",
        ADMIN,
        kwargs=_pk("session_b"),
        method="post",
        data=lambda w: {"partners": [w.partner_org.pk]},
        case="session of B",
        state=lambda w: list(w.session_b.partners.values_list("pk", flat=True)),
    ),
    # the delegation
    R("delegation:public", ALL),
    R("delegation:mine", SIGNED_IN),
    R(
        "delegation:withdraw",
        AGENT,
        kwargs=_pk("application_own"),
        method="post",
        case="own application",
        state=_status_of("application_own"),
        changes=True,
    ),
    R(
        "delegation:withdraw",
        NOBODY,
        kwargs=_pk("application_other"),
        method="post",
        case="another person's",
        state=_status_of("application_other"),
    ),
    *[R(f"delegation:{name}", ADMIN, kwargs=_pk("call")) for name in ("call", "selection")],
    R("delegation:backoffice", ADMIN),
    *[
        R(f"delegation:{name}", ADMIN, kwargs=_pk("call"), method="post", state=_status_of("call"))
        for name in ("call-status", "call-report", "publish")
    ],
    R(
        "delegation:decide",
        ADMIN,
        kwargs=_pk("application_other"),
        method="post",
        data={"decision": "selected"},
        case="another ministry's applicant",
        state=_status_of("application_other"),
    ),
    R("network:labs", ALL),
    R("network:lab", ALL, kwargs=lambda w: {"slug": w.lab.slug}),
    # practice
    R("practice:list", SIGNED_IN),
    R("practice:edit", AGENT, kwargs=_pk("practice_own"), case="own entry"),
    R("practice:edit", NOBODY, kwargs=_pk("practice_other"), case="another person's"),
    R(
        "practice:delete",
        AGENT,
        kwargs=_pk("practice_own"),
        method="post",
        case="own entry",
        state=_status_of("practice_own"),
        changes=True,
    ),
    R(
        "practice:delete",
        NOBODY,
        kwargs=_pk("practice_other"),
        method="post",
        case="another person's",
        state=_status_of("practice_other"),
    ),
    # credentials
    R("credentials:mine", SIGNED_IN),
    R("credentials:verify", ALL),
    R("credentials:verify-code", ALL, kwargs=lambda w: {"code": w.credential_other.code}),
    R("credentials:issuer", ALL),
    R("credentials:jwks", ALL),
    R(
        "credentials:key",
        ALL,
        kwargs=lambda w: {"kid": SigningKey.objects.values_list("kid", flat=True).first()},
        case="a published key",
    ),
    R(
        "credentials:multikey",
        ALL,
        kwargs=lambda w: {"multibase": _issuer_multibase()},
        case="the issuer's published Multikey",
    ),
    R("credentials:status-list", ALL, kwargs=lambda w: {"number": 1}),
    R("credentials:achievement", ALL, kwargs=lambda w: {"course_code": w.course.code}),
    R("credentials:backoffice", BACKOFFICE | {"trainer"}, case="the sessions each may download"),
    R(
        "credentials:revoke",
        ADMIN,
        kwargs=lambda w: {"code": w.credential_other.code},
        method="post",
        data={"reason": "Erreur"},
        state=_status_of("credential_other"),
    ),
    R("credentials:session-zip", ORGANISER_A, kwargs=_pk("past_session_a"), case="session of A"),
    R("credentials:session-zip", ADMIN, kwargs=_pk("past_session_b"), case="session of B"),
    *[
        R(f"credentials:{name}", AGENT | ADMIN, kwargs=lambda w: {"code": w.credential_own.code}, case="own credential")
        for name in ("pdf", "json", "jwt")
    ],
    *[
        R(f"credentials:{name}", ADMIN, kwargs=lambda w: {"code": w.credential_other.code}, case="another's")
        for name in ("pdf", "json", "jwt")
    ],
    R("record:record", SIGNED_IN),
    R("record:record-json", SIGNED_IN),
    R("record:record-pdf", SIGNED_IN),
    # library
    R("library:list", ALL),
    R("library:submit", SIGNED_IN),
    R("library:mine", SIGNED_IN),
    R("library:moderation", ADMIN),
    R("library:collections", ALL, case="public collections"),
    R("library:collection", AGENT | ADMIN, kwargs=_pk("collection_own"), case="own private collection"),
    R("library:collection", ADMIN, kwargs=_pk("collection_other"), case="another's private collection"),
    R(
        "library:collection-add",
        NOBODY,
        kwargs=_pk("resource_public"),
        method="post",
        data=lambda w: {"collection": w.collection_other.pk},
        case="into another's collection",
        state=lambda w: w.collection_other.items.count(),
        changes=True,
    ),
    R("library:detail", ALL, kwargs=_pk("resource_public"), case="published"),
    R("library:detail", AGENT | ADMIN, kwargs=_pk("resource_own"), case="own submission"),
    R("library:detail", ADMIN, kwargs=_pk("resource_other"), case="another's submission"),
    R("library:edit", AGENT | ADMIN, kwargs=_pk("resource_own"), case="own submission"),
    R("library:edit", ADMIN, kwargs=_pk("resource_other"), case="another's submission"),
    R("library:review", ADMIN, kwargs=_pk("resource_other"), case="another's submission"),
    R(
        "library:review",
        ADMIN,
        kwargs=_pk("resource_other"),
        method="post",
        data={"decision": "publish"},
        case="another's submission",
        state=_status_of("resource_other"),
        changes=True,
    ),
    R(
        "library:report",
        SIGNED_IN,
        kwargs=_pk("resource_public"),
        method="post",
        data={"reason": "error", "comment": "Erreur"},
        case="published",
    ),
    R("library:feedback", SIGNED_IN, kwargs=_pk("resource_public"), method="post", case="published"),
    R(
        "library:file",
        AGENT | ADMIN,
        kwargs=lambda w: {"pk": w.resource_own.pk, "file_pk": w.file_own.pk},
        case="own submission's file",
    ),
    R(
        "library:file",
        ADMIN,
        kwargs=lambda w: {"pk": w.resource_other.pk, "file_pk": w.file_other.pk},
        case="another's submission's file",
    ),
    # surveys
    R("surveys:results", BACKOFFICE),
    R("surveys:survey_results", BACKOFFICE, kwargs=_pk("survey")),
    R("surveys:answer", NOBODY, kwargs=lambda w: {"token": "jeton-invente"}, case="forged token"),
    # reporting
    R("reporting:public", ALL),
    R("reporting:public_export", ALL, kwargs=lambda w: {"table": "trimestres", "fmt": "csv"}),
    R("reporting:public_export", NOBODY, kwargs=lambda w: {"table": "sessions", "fmt": "csv"}, case="internal"),
    R("reporting:progress", ALL),
    R("reporting:progress_pdf", ALL),
    R("reporting:internal", BACKOFFICE | {"trainer"}, case="a trainer sees the figures of their sessions"),
    R("reporting:internal_export", BACKOFFICE, kwargs=lambda w: {"table": "sessions", "fmt": "csv"}),
    R("reporting:opendata", ALL),
    R("reporting:datagouv", ALL),
    R("reporting:dataset_csv", NOBODY, kwargs=lambda w: {"slug": "catalogue"}, case="not yet published"),
    R("reporting:dataset_schema", ALL, kwargs=lambda w: {"slug": "catalogue"}),
    # the API's own pages (its operations are in API_ROUTES)
    R("api-1:openapi-json", ALL),
    R("api-1:openapi-view", ALL),
    R("api-1:api-root", NOBODY, case="no page at the root"),
    # Django admin: the programme admins' back office (core/admin.py); a sample of model pages
    R("admin:index", ADMIN),
    R("admin:login", ALL, case="the form; access is decided after"),
    R("admin:accounts_user_changelist", ADMIN),
    R("admin:accounts_user_change", ADMIN, kwargs=lambda w: {"object_id": w.other_agent.pk}),
    R("admin:organisations_organisation_changelist", ADMIN),
    R("admin:core_auditentry_changelist", ADMIN),
    R("admin:framework_frameworkversion_changelist", ADMIN),
    R("admin:surveys_survey_changelist", ADMIN),
]

# Admin URL names generated per model (add, history, delete…) are covered by the sample
# above: every admin view goes through the same AdminSite.has_permission (core/admin.py).
ADMIN_PREFIX = "admin:"
API_PAGES = {"api-1:openapi-json", "api-1:openapi-view", "api-1:api-root"}

# --- API operations (operationId from /api/v1/openapi.json) ---------------------------------
API_ROUTES: list[R] = [
    R("essaim_api_api_list_regions", ALL),
    R("essaim_api_api_list_departements", ALL),
    R("essaim_api_api_list_organisations", ALL),
    R("essaim_api_api_get_organisation", ALL, kwargs=lambda w: {"slug": w.ministry.slug}),
    R("essaim_api_api_get_me", SIGNED_IN),
    R("essaim_api_api_list_my_tokens", SIGNED_IN),
    R(
        "essaim_api_api_revoke_my_token",
        ADMIN,
        kwargs=lambda w: {"token_id": w.other_token.pk},
        method="delete",
        case="another person's token",
        state=_status_of("other_token"),
        changes=True,
    ),
    R(
        "essaim_api_api_revoke_my_token",
        AGENT | ADMIN,
        kwargs=lambda w: {"token_id": w.agent_token.pk},
        method="delete",
        case="the agent's token",
        state=_status_of("agent_token"),
        changes=True,
    ),
    R("essaim_training_api_list_courses", ALL),
    R("essaim_training_api_list_sessions", ALL),
    R("essaim_training_api_get_session", ALL, kwargs=lambda w: {"session_id": w.session_a.pk}),
    R(
        "essaim_training_api_create_registration",
        SIGNED_IN - AGENT,
        kwargs=lambda w: {"session_id": w.session_b.pk},
        method="post",
        case="session B",
        state=lambda w: w.session_b.registrations.count(),
        changes=True,
    ),
    R(
        "essaim_training_api_cancel_registration",
        AGENT,
        kwargs=lambda w: {"registration_id": w.registration_own.pk},
        method="delete",
        case="own registration",
        state=_status_of("registration_own"),
        changes=True,
    ),
    R(
        "essaim_training_api_cancel_registration",
        NOBODY,
        kwargs=lambda w: {"registration_id": w.registration_b.pk},
        method="delete",
        case="another person's",
        state=_status_of("registration_b"),
    ),
    R("essaim_training_api_my_registrations", SIGNED_IN),
    R("essaim_framework_api_get_current_framework", ALL),
    R("essaim_framework_api_get_framework", ALL, kwargs=lambda w: {"version": w.framework.version}, case="published"),
    R(
        "essaim_framework_api_get_framework",
        NOBODY,
        kwargs=lambda w: {"version": w.draft_framework.version},
        case="draft",
    ),
    R("essaim_credentials_api_list_my_credentials", SIGNED_IN),
    R("essaim_credentials_api_verify_credential", ALL, method="post", data={"code": "INCONNU"}),
    R("essaim_library_api_search_resources", ALL),
    R("essaim_events_api_list_events", ALL),
    R("essaim_library_api_list_my_contributions", SIGNED_IN),
    R(
        "essaim_library_api_create_contribution",
        SIGNED_IN,
        method="post",
        data={"title": "Par l’API", "summary": "Une contribution."},
        state=lambda w: Resource.objects.count(),
        changes=True,
    ),
    R("essaim_library_api_get_resource", ALL, kwargs=lambda w: {"resource_id": w.resource_public.pk}, case="published"),
    R(
        "essaim_library_api_get_resource",
        AGENT | ADMIN,
        kwargs=lambda w: {"resource_id": w.resource_own.pk},
        case="own submission",
    ),
    R(
        "essaim_library_api_get_resource",
        ADMIN,
        kwargs=lambda w: {"resource_id": w.resource_other.pk},
        case="another's submission",
    ),
    R("essaim_network_api_directory", SIGNED_IN),
    R("essaim_network_api_my_profile", {"trainer"}, case="only the trainer has a directory entry"),
    R(
        "essaim_network_api_update_my_profile",
        SIGNED_IN,
        method="put",
        data={"consent": False},
    ),
    R(
        "essaim_network_api_create_request",
        SIGNED_IN,
        method="post",
        data=lambda w: {
            "topic": "Atelier",
            "date": str(w.request_own.date),
            "competency": "animer",
            "audience_size": 10,
            "is_remote": True,
        },
        state=lambda w: FacilitationRequest.objects.count(),
        changes=True,
    ),
    R(
        "essaim_network_api_candidates",
        AGENT | ADMIN,
        kwargs=lambda w: {"request_id": w.request_own.pk},
        case="the agent's request",
    ),
    R(
        "essaim_network_api_candidates",
        ADMIN,
        kwargs=lambda w: {"request_id": w.request_other.pk},
        case="another person's",
    ),
    R(
        "essaim_network_api_invite",
        NOBODY,
        kwargs=lambda w: {"request_id": w.request_other.pk},
        method="post",
        data=lambda w: {"facilitators": [w.trainer.pk]},
        case="another person's request: only the requester invites",
        state=lambda w: w.request_other.invitations.count(),
    ),
    R(
        "essaim_network_api_answer",
        {"trainer"},
        kwargs=lambda w: {"invitation_id": w.invitation_trainer.pk, "answer": "accept"},
        method="post",
        case="invitation to the trainer",
        state=_status_of("invitation_trainer"),
        changes=True,
    ),
    R(
        "essaim_network_api_answer",
        NOBODY,
        kwargs=lambda w: {"invitation_id": w.invitation_other.pk, "answer": "accept"},
        method="post",
        case="another person's invitation",
        state=_status_of("invitation_other"),
    ),
]


# --- running the matrix ----------------------------------------------------------------------
def iter_url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found = iter_url_names(pattern, ns)
            if ns == "api-1:":
                found &= API_PAGES  # the API's operations are enumerated from its schema
            names |= found
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def api_operations() -> dict[str, tuple[str, str]]:
    from essaim.api.api import api

    schema = api.get_openapi_schema()
    operations = {}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            operations[operation["operationId"]] = (method, path)
    return operations


def _is_login_redirect(response: Any) -> bool:
    location = response.headers.get("Location", "")
    return response.status_code in (301, 302, 303) and (
        location.startswith(reverse(settings.LOGIN_URL)) or location.startswith(reverse("admin:login"))
    )


def _succeeded(response: Any, method: str = "get") -> bool:
    """Past the permission check. To a write, 400 and 422 answer input the permission check
    let through (the form or payload is then validated); 401, 403, 404 and 405 refuse."""
    if response.status_code in (400, 422) and method != "get":
        return True
    if response.status_code >= 400:
        return False
    return not _is_login_redirect(response)


class Rollback:
    """A savepoint rolled back at the end; marked as the test case's own so that the services'
    durable atomic blocks may run inside it, as they do inside a test."""

    def __enter__(self) -> None:
        self.atomic = transaction.atomic()
        self.atomic._from_testcase = True  # type: ignore[attr-defined]
        self.atomic.__enter__()

    def __exit__(self, *exc: Any) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)


def _call(client: Client, row: R, url: str, world: World, headers: dict[str, str], api: bool) -> tuple[bool, str]:
    """Returns (succeeded, problem or "")."""
    data = row.data(world) if callable(row.data) else (row.data or {})
    if row.method == "get":
        response = client.get(url + row.query, headers=headers)
        if response.status_code >= 500:
            return False, f"server error {response.status_code}"
        return _succeeded(response), f"status {response.status_code}"
    cookies = copy.deepcopy(client.cookies)  # a logout or a sign-in must not leak into the next row
    with Rollback():
        before_audit = AuditEntry.objects.count()
        before = row.state(world) if row.state else None
        if row.method == "post" and not api:
            response = client.post(url, data, headers=headers)
        else:
            response = getattr(client, row.method)(url, data, content_type="application/json", headers=headers)
        after = row.state(world) if row.state else None
        wrote = AuditEntry.objects.count() != before_audit
    client.cookies = cookies
    if response.status_code >= 500:
        return False, f"server error {response.status_code}"
    ok = _succeeded(response, row.method)
    if not ok and (wrote or before != after):
        return False, "refused, yet something changed"
    if ok and row.changes and before == after:
        ok = False  # answered, but did nothing: a business rule, or a refusal shown as a message
    return ok, f"status {response.status_code}"


def _run(rows: list[R], url_for: Callable[[R], str], world: World, clients: dict[str, Client], api: bool):
    results: list[tuple[R, dict[str, bool]]] = []
    failures: list[str] = []
    for row in rows:
        url = url_for(row)
        outcome = {}
        for role in ROLES:
            headers = {}
            if api and role != "anonymous":
                headers = {"Authorization": f"Bearer {world.tokens[role]}"}
            client = clients["anonymous"] if api else clients[role]
            ok, problem = _call(client, row, url, world, headers, api)
            outcome[role] = ok
            expected = role in row.allowed
            if problem and not problem.startswith("status"):
                failures.append(f"{row.method.upper()} {url} ({row.case or row.name}) as {role}: {problem}")
            elif ok != expected:
                verb = "reached" if ok else "was refused"
                failures.append(f"{row.method.upper()} {url} ({row.case or row.name}): {role} {verb} ({problem})")
        results.append((row, outcome))
    return results, failures


def _matrix(results: list[tuple[R, dict[str, bool]]]) -> str:
    short = {"anonymous": "anon", "lab_coordinator": "lab", "programme_admin": "admin"}
    heads = [short.get(r, r)[:6] for r in ROLES]
    width = max(len(f"{row.method.upper()} {row.name} {row.case}") for row, _ in results) + 2
    lines = [" " * width + " ".join(f"{h:>6}" for h in heads)]
    for row, outcome in results:
        label = f"{row.method.upper()} {row.name} {row.case}".strip()
        lines.append(f"{label:<{width}}" + " ".join(f"{'✓' if outcome[r] else '✗':>6}" for r in ROLES))
    return "\n".join(lines)


def test_every_route_is_classified():
    classified = {row.name for row in ROUTES}
    missing = sorted(n for n in iter_url_names() - classified if not n.startswith(ADMIN_PREFIX))
    assert not missing, f"Routes missing from ROUTES in {__file__}: {missing}"
    stale = sorted(classified - iter_url_names())
    assert not stale, f"Rows naming routes that no longer exist: {stale}"
    operations = api_operations()
    missing_api = sorted(set(operations) - {row.name for row in API_ROUTES})
    assert not missing_api, f"API operations missing from API_ROUTES: {missing_api}"


def test_authorisation_matrix(settings, tmp_path):
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # hundreds of expected 403/404
    settings.CREDENTIALS_KEY_DIR = tmp_path / "keys"
    settings.CREDENTIALS_SIGNING_KEY = ""
    world = build_world()
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        if world.people[role] is not None:
            clients[role].force_login(world.people[role])

    html, html_failures = _run(
        ROUTES, lambda row: reverse(row.name, kwargs=row.kwargs(world)), world, clients, api=False
    )
    operations = api_operations()

    def api_url(row: R) -> str:
        _method, path = operations[row.name]
        return re.sub(r"\{(\w+)\}", lambda m: str(row.kwargs(world)[m.group(1)]), path)

    api_rows, api_failures = _run([r for r in API_ROUTES if r.name in operations], api_url, world, clients, api=True)
    checks = (len(html) + len(api_rows)) * len(ROLES)
    text = (
        f"Authorisation matrix: {len(html)} HTML rows + {len(api_rows)} API rows × {len(ROLES)} roles"
        f" = {checks} checks\n\n{_matrix(html)}\n\n{_matrix(api_rows)}\n"
    )
    out = Path(settings.BASE_DIR) / "var" / "authorisation-matrix.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text, encoding="utf-8")
    failures = html_failures + api_failures
    assert not failures, "\n".join(failures)
