"""Reads of the network. Every read of people starts from consenting profiles only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from essaim.accounts.models import Role, RoleAssignment
from essaim.catalogue.models import Course
from essaim.network.models import (
    Availability,
    DirectoryProfile,
    DirectorySkill,
    FacilitationRequest,
    Invitation,
    Pilot,
    PilotFacilitation,
    PilotMember,
    PilotWorkshop,
)
from essaim.organisations.models import Organisation, path_root_id
from essaim.training.models import Session

#: Points of the ranking (docs/adr/0040-network-matching.md).
POINTS_PER_LEVEL = 10
POINTS_SAME_DEPARTEMENT = 20
POINTS_SAME_REGION = 10
POINTS_AVAILABLE = 10
PENALTY_PER_RECENT_INVITATION = 5
MAX_LOAD_PENALTY = 25
#: The directory counts its matches up to this (beyond: "more than 200, refine").
DIRECTORY_COUNT_CAP = 200
#: Candidates read from the database before the load penalty is applied.
CANDIDATE_POOL = 200


def directory_search(
    *,
    competency: str = "",
    min_level: int = 0,
    region: str = "",
    ministry: int | None = None,
    availability: str = "",
    competency_codes: list[str] | None = None,
) -> QuerySet[DirectoryProfile]:
    """Consenting people matching the filters, best first. `competency_codes` is the
    competency with its descendants (a parent matches its children), when known.

    With a competency, the filters read the copies kept on the skill rows so that one
    index serves the filter and the order; otherwise the profile's own columns.
    """
    profiles = DirectoryProfile.objects.listed()
    codes = (competency_codes or competency_family(competency)) if competency else []
    if len(codes) > 1:
        # A parent competency: anyone holding one of its children, best level first.
        matching = DirectorySkill.objects.filter(
            profile=OuterRef("pk"), competency_code__in=codes, level_rank__gte=max(min_level, 1)
        )
        if region:
            matching = matching.filter(region_id_copy=region)
        if ministry:
            matching = matching.filter(ministry_id_copy=ministry)
        if availability:
            matching = matching.filter(availability=availability)
        best = matching.order_by("-level_rank").values("level_rank")[:1]
        profiles = (
            profiles.filter(Exists(matching))
            .annotate(best_level=Subquery(best))
            .order_by("-best_level", "-practice_count", "id")
        )
    elif competency:
        skill = Q(skills__competency_code=competency, skills__level_rank__gte=max(min_level, 1))
        if region:
            skill &= Q(skills__region_id_copy=region)
        if ministry:
            skill &= Q(skills__ministry_id_copy=ministry)
        if availability:
            skill &= Q(skills__availability=availability)
        # The last key is the skill's profile id: the index serves the whole order.
        profiles = profiles.filter(skill).order_by(
            "-skills__level_rank", "-skills__practice_count", "skills__profile_id"
        )
    else:
        if min_level:
            profiles = profiles.filter(
                Exists(DirectorySkill.objects.filter(profile=OuterRef("pk"), level_rank__gte=min_level))
            )
        if region:
            profiles = profiles.filter(region_id=region)
        if ministry:
            profiles = profiles.filter(ministry_id=ministry)
        if availability:
            profiles = profiles.filter(availability=availability)
        profiles = profiles.order_by("-practice_count", "id")
    return profiles.select_related("user", "region", "ministry").prefetch_related(
        Prefetch("skills", DirectorySkill.objects.order_by("-level_rank", "competency_name"))
    )


def directory_profile_visible(*, profile_id: int) -> DirectoryProfile | None:
    """A listed profile, or None (a withdrawn person is indistinguishable from nobody)."""
    return directory_search().filter(pk=profile_id).select_related("departement").order_by().first()


def competency_tree() -> list[tuple[int, int | None, str, str]]:
    """The current framework's competencies (pk, parent pk, code, name), in order."""
    from essaim.framework.models import Competency, FrameworkVersion

    current = FrameworkVersion.objects.current()
    if current is None:
        return []
    return list(
        Competency.objects.filter(framework=current)
        .order_by("position", "id")
        .values_list("pk", "parent_id", "code", "name")
    )


def competency_choices(
    tree: list[tuple[int, int | None, str, str]] | None = None, *, leaves_only: bool = False
) -> list[tuple[str, str]]:
    """The competencies as a tree: a parent, then its children indented (choosing a parent
    finds the people who hold any of its children)."""
    rows = competency_tree() if tree is None else tree
    children: dict[int | None, list[tuple[int, str, str]]] = {}
    for pk, parent, code, name in rows:
        children.setdefault(parent, []).append((pk, code, name))
    choices: list[tuple[str, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for pk, code, name in children.get(parent, []):
            if leaves_only and pk in children:
                walk(pk, depth)
                continue
            indent = 0 if leaves_only else depth
            choices.append((code, "\u00a0\u00a0" * indent + ("– " if indent else "") + name))
            walk(pk, depth + 1)

    walk(None, 0)
    return choices


def competency_family(code: str, tree: list[tuple[int, int | None, str, str]] | None = None) -> list[str]:
    """The code and those of all its descendants."""
    rows = competency_tree() if tree is None else tree
    by_parent: dict[int | None, list[tuple[int, str]]] = {}
    start = None
    for pk, parent, row_code, _name in rows:
        by_parent.setdefault(parent, []).append((pk, row_code))
        if row_code == code:
            start = pk
    if start is None:
        return [code]
    family, stack = [code], [start]
    while stack:
        for pk, row_code in by_parent.get(stack.pop(), []):
            family.append(row_code)
            stack.append(pk)
    return family


def level_names() -> dict[int, str]:
    """Rank → name of the current framework's levels (Découvrir, Pratiquer, Maîtriser, Transmettre)."""
    from essaim.framework.models import FrameworkVersion, Level

    current = FrameworkVersion.objects.current()
    if current is None:
        return {}
    return dict(Level.objects.filter(framework=current).values_list("rank", "name"))


def ministry_choices() -> list[tuple[int, str]]:
    return [(o.pk, str(o)) for o in Organisation.objects.active().ministries().only("name", "short_name")]


# Matching -------------------------------------------------------------------------------
@dataclass
class Candidate:
    profile: DirectoryProfile
    level_rank: int
    score: int
    recent_invitations: int
    reasons: list[str] = field(default_factory=list)


def request_candidates(*, request: FacilitationRequest, limit: int = 20) -> list[Candidate]:
    """Rank consenting, available people for a request; at most five queries whatever the size.

    The pool is the best by level (least recently invited first among equals) in the
    département, the region and everywhere; it is scored by level, distance and
    availability, the people of its best are read, and the load penalty — invitations in the last 12 months —
    is then counted for that bounded pool only.
    """
    already = Invitation.objects.filter(request=request).values("facilitator_id")
    # Skill rows exist only for consenting people (the consent service deletes them), so
    # the pool is read from this one table, through three bounded index scans: the best
    # of the département, of the region, and of everyone. People are joined for the
    # pool only.
    skills = (
        DirectorySkill.objects.filter(
            competency_code=request.competency_code,
            availability__in=[Availability.AVAILABLE, Availability.LIMITED],
        )
        .exclude(profile_id__in=DirectoryProfile.objects.filter(user_id=request.requester_id).values("pk"))
        .exclude(profile_id__in=DirectoryProfile.objects.filter(user_id__in=already).values("pk"))
        .order_by("-level_rank", "last_invited_at", "id")
    )
    scans = [skills]
    if not request.is_remote:
        scans = [
            skills.filter(departement_id_copy=request.departement_id) if request.departement_id else skills.none(),
            skills.filter(region_id_copy=request.region_id) if request.region_id else skills.none(),
            skills,
        ]
    columns = ("id", "level_rank", "region_id_copy", "departement_id_copy", "availability", "last_invited_at")
    found: dict[int, tuple[Any, ...]] = {}
    for scan in scans:
        for row in scan.values_list(*columns)[:CANDIDATE_POOL]:
            found[row[0]] = row

    def distance_of(region: str, departement: str) -> int:
        if request.is_remote:
            return 0
        if request.departement_id and departement == request.departement_id:
            return POINTS_SAME_DEPARTEMENT
        if request.region_id and region == request.region_id:
            return POINTS_SAME_REGION
        return 0

    scored = sorted(
        (
            (
                level * POINTS_PER_LEVEL
                + distance_of(region, departement)
                + (POINTS_AVAILABLE if availability == Availability.AVAILABLE else 0),
                last_invited,
                pk,
            )
            for pk, level, region, departement, availability, last_invited in found.values()
        ),
        key=lambda item: (-item[0], item[1], item[2]),
    )[:CANDIDATE_POOL]
    rows = {
        skill.pk: skill
        for skill in DirectorySkill.objects.filter(
            pk__in=[pk for _s, _l, pk in scored], profile__consent=True, profile__user__is_active=True
        )
        .select_related("profile__user")
        .only(
            "level_rank",
            "competency_name",
            "region_id_copy",
            "departement_id_copy",
            "availability",
            "profile__user_id",
            "profile__consent",
            "profile__user__given_name",
            "profile__user__usual_name",
            "profile__user__is_active",
        )
    }
    pool = [
        (rows[pk], base, distance_of(rows[pk].region_id_copy, rows[pk].departement_id_copy))
        for base, _l, pk in scored
        if pk in rows
    ]
    since = timezone.now() - dt.timedelta(days=365)
    loads = dict(
        Invitation.objects.filter(facilitator_id__in=[s.profile.user_id for s, _b, _d in pool], created_at__gte=since)
        .values("facilitator_id")
        .annotate(n=Count("id"))
        .values_list("facilitator_id", "n")
    )

    def penalty_of(skill: DirectorySkill) -> int:
        return min(loads.get(skill.profile.user_id, 0) * PENALTY_PER_RECENT_INVITATION, MAX_LOAD_PENALTY)

    # Stable sort: equal scores keep the pool's order (least recently asked first).
    best = sorted(pool, key=lambda item: -(item[1] - penalty_of(item[0])))[:limit]
    candidates = []
    for skill, base, dist in best:  # reasons are written for those shown only
        load = loads.get(skill.profile.user_id, 0)
        penalty = penalty_of(skill)
        reasons = [
            _("Niveau %(rank)d en « %(competency)s » : +%(points)d")
            % {
                "rank": skill.level_rank,
                "competency": skill.competency_name,
                "points": skill.level_rank * POINTS_PER_LEVEL,
            }
        ]
        if request.is_remote:
            reasons.append(_("Atelier à distance : le lieu ne compte pas"))
        elif dist == POINTS_SAME_DEPARTEMENT:
            reasons.append(_("Même département : +%(points)d") % {"points": POINTS_SAME_DEPARTEMENT})
        elif dist == POINTS_SAME_REGION:
            reasons.append(_("Même région : +%(points)d") % {"points": POINTS_SAME_REGION})
        else:
            reasons.append(_("Autre région : +0"))
        if skill.availability == Availability.AVAILABLE:
            reasons.append(_("Disponible : +%(points)d") % {"points": POINTS_AVAILABLE})
        else:
            reasons.append(_("Disponibilité limitée : +0"))
        if load:
            reasons.append(
                ngettext(
                    "Déjà sollicité·e %(count)d fois en 12 mois : −%(points)d",
                    "Déjà sollicité·e %(count)d fois en 12 mois : −%(points)d",
                    load,
                )
                % {"count": load, "points": penalty}
            )
        else:
            reasons.append(_("Pas encore sollicité·e en 12 mois : aucune pénalité"))
        candidates.append(
            Candidate(
                profile=skill.profile,
                level_rank=skill.level_rank,
                score=base - penalty,
                recent_invitations=load,
                reasons=reasons,
            )
        )
    return candidates


def requests_of(*, user: Any) -> QuerySet[FacilitationRequest]:
    return (
        FacilitationRequest.objects.filter(requester=user)
        .select_related("region", "departement")
        .annotate(
            invited=Count("invitations"),
            accepted=Count("invitations", filter=Q(invitations__status__in=["accepted", "done"])),
        )
    )


def invitations_of(*, user: Any) -> QuerySet[Invitation]:
    return Invitation.objects.filter(facilitator=user).select_related(
        "request__region", "request__departement", "practice_entry"
    )


# Trainers and labs ----------------------------------------------------------------------
def courses_a_trainer_may_deliver(*, user: Any) -> list[Course]:
    """Published courses the trainer completed themselves, outside the trainer track."""
    return list(
        Course.objects.published()
        .filter(is_trainer_track=False, completions__user=user)
        .distinct()
        .order_by("position", "title")
    )


def trainer_sessions(*, user: Any, limit: int = 50) -> list[Session]:
    return list(
        Session.objects.filter(trainers=user)
        .exclude(status=Session.Status.DRAFT)
        .select_related("course", "region")
        .order_by("-starts_at")[:limit]
    )


def labs_by_region() -> list[tuple[str, list[Organisation]]]:
    groups: dict[str, list[Organisation]] = {}
    for lab in Organisation.objects.active().labs().select_related("region").order_by("region__name", "name"):
        groups.setdefault(lab.region.name if lab.region else _("Sans région"), []).append(lab)
    return list(groups.items())


def lab_detail(*, lab: Organisation, user: Any, members_limit: int = 12) -> dict[str, Any]:
    """Everything a lab's page shows, in a constant number of queries: its team
    (coordinators), sessions (coming and held), members (consenting people of its region,
    signed-in viewers only), resources (published library resources filed under the lab,
    its case studies among them) and pilots (accepted ones; proposals too for those who
    may decide)."""
    from essaim.library.models import Resource

    team = list(
        RoleAssignment.objects.active()
        .filter(role=Role.LAB_COORDINATOR, organisation=lab)
        .select_related("user")
        .order_by("user__usual_name", "user__given_name", "id")
    )
    now = timezone.now()
    sessions = list(
        Session.objects.published()
        .trainings()
        .filter(lab=lab, starts_at__gte=now)
        .select_related("course")
        .order_by("starts_at")[:20]
    )
    held = list(
        Session.objects.trainings()
        .filter(lab=lab, starts_at__lt=now)
        .exclude(status__in=[Session.Status.DRAFT, Session.Status.CANCELLED])
        .select_related("course")
        .order_by("-starts_at")[:20]
    )
    members: list[DirectoryProfile] = []
    if lab.region_id and getattr(user, "is_authenticated", False):
        members = list(
            DirectoryProfile.objects.listed()
            .filter(region_id=lab.region_id)
            .select_related("user")
            .order_by("-practice_count", "id")[:members_limit]
        )
    resources = list(
        Resource.objects.visible_to(user).filter(organisation=lab).only("title", "type", "published_at")[:20]
    )
    pilots = lab_pilots(lab=lab, user=user)
    return {
        "team": [a.user for a in team],
        "sessions": sessions,
        "held_sessions": held,
        "members": members,
        "resources": resources,
        "pilots": pilots,
    }


# Lab pilots -----------------------------------------------------------------------------
def lab_pilots(*, lab: Organisation, user: Any, limit: int = 100) -> list[Pilot]:
    """The lab's accepted pilots; its proposals and declined ones too for those who decide."""
    pilots = Pilot.objects.filter(lab=lab).select_related("case_study").order_by("-created_at", "-id")
    probe = Pilot(lab=lab, status=Pilot.Status.PROPOSED)
    if not (getattr(user, "is_authenticated", False) and user.has_perm("network.manage_pilot", probe)):
        pilots = pilots.filter(status__in=Pilot.STAGES)
    return list(pilots[:limit])


def pilots_proposed_by(*, user: Any) -> list[Pilot]:
    return list(Pilot.objects.filter(proposer=user).select_related("lab").order_by("-created_at", "-id")[:100])


def pilot_for_page(*, lab: Organisation, pk: int) -> Pilot | None:
    """A pilot of this lab with what its page shows, in a fixed number of queries."""
    return (
        Pilot.objects.filter(lab=lab, pk=pk)
        .select_related("lab__region", "proposer", "decided_by", "case_study")
        .prefetch_related(
            Prefetch("team", PilotMember.objects.select_related("user").order_by("id")),
            Prefetch(
                "workshops",
                PilotWorkshop.objects.order_by("date", "id").prefetch_related(
                    Prefetch("facilitations", PilotFacilitation.objects.select_related("facilitator", "practice_entry"))
                ),
            ),
            "methods",
        )
        .first()
    )


def method_choices() -> list[tuple[int, str]]:
    """Published library resources that describe a method or a guide, to link to a pilot."""
    from essaim.library.models import Resource

    return list(
        Resource.objects.published()
        .filter(type__in=[Resource.Type.METHOD, Resource.Type.GUIDE, Resource.Type.TEMPLATE])
        .order_by("title")
        .values_list("pk", "title")[:300]
    )


# Affiliation history and turnover -------------------------------------------------------
def affiliation_history(*, user: Any) -> list[Any]:
    from essaim.organisations.models import Affiliation

    return list(
        Affiliation.objects.filter(user=user).select_related("organisation").order_by("-start_date", "-id")[:30]
    )


@dataclass
class TurnoverRow:
    name: str
    trained: int
    moved: int

    @property
    def share(self) -> int | None:
        return round(100 * self.moved / self.trained) if self.trained else None


def turnover(*, months: int = 12) -> list[TurnoverRow]:
    """Per ministry (of their current post): active trained people, and those of them who
    left a post in another organisation in the last `months` months — they changed
    organisation and stayed members of the network. Four queries."""
    from essaim.organisations.models import Affiliation
    from essaim.training.models import Completion

    since = timezone.localdate() - dt.timedelta(days=round(months * 30.44))
    roots = {pk: root for pk, path in Organisation.objects.values_list("pk", "path") if (root := path_root_id(path))}
    trained = dict(
        Completion.objects.filter(user__is_active=True)
        .values("user__organisation_id")
        .annotate(n=Count("user", distinct=True))
        .values_list("user__organisation_id", "n")
    )
    moved = dict(
        Affiliation.objects.filter(end_date__gte=since, user__is_active=True, user__completions__isnull=False)
        .exclude(organisation_id=F("user__organisation_id"))
        .values("user__organisation_id")
        .annotate(n=Count("user", distinct=True))
        .values_list("user__organisation_id", "n")
    )
    totals: dict[int, list[int]] = {}
    for index, counts in enumerate((trained, moved)):
        for org_id, n in counts.items():
            root = roots.get(org_id)
            if root is not None:
                totals.setdefault(root, [0, 0])[index] += n
    return [
        TurnoverRow(str(m), *totals.get(m.pk, [0, 0]))
        for m in Organisation.objects.active().ministries().order_by("name")
    ]


# Skill gaps -----------------------------------------------------------------------------
@dataclass
class GapRow:
    """One place against the targets. A count is None when it is suppressed (1 to
    threshold − 1 people shown to a non-admin); zero is always shown: it is the gap."""

    name: str
    trained: int | None
    trainers: int | None
    trained_target: int
    trainer_target: int

    @property
    def missing_trained(self) -> int | None:
        return None if self.trained is None else max(self.trained_target - self.trained, 0)

    @property
    def missing_trainers(self) -> int | None:
        return None if self.trainers is None else max(self.trainer_target - self.trainers, 0)


def skill_gaps(*, exact: bool = False) -> dict[str, list[GapRow]]:
    """Active trained people and trainers per region and per ministry against the targets
    (aggregates only). Five queries whatever the number of people.

    Unless `exact` (programme admins), counts of 1 to `SMALL_COUNT_THRESHOLD` − 1 people
    are suppressed as in the reporting app (`reporting.selectors.suppress`)."""
    from django.conf import settings

    from essaim.organisations.models import Region
    from essaim.reporting.selectors import suppress
    from essaim.training.models import Completion

    shown = (lambda n: n) if exact else suppress
    trained_target = settings.NETWORK_GAP_TRAINED_TARGET
    trainer_target = settings.NETWORK_GAP_TRAINER_TARGET
    roots = {pk: root for pk, path in Organisation.objects.values_list("pk", "path") if (root := path_root_id(path))}
    trained_by_org = dict(
        Completion.objects.filter(user__is_active=True)
        .values("user__organisation_id")
        .annotate(n=Count("user", distinct=True))
        .values_list("user__organisation_id", "n")
    )
    trainers_by_org = dict(
        RoleAssignment.objects.active()
        .filter(role=Role.TRAINER, user__is_active=True)
        .values("user__organisation_id")
        .annotate(n=Count("user", distinct=True))
        .values_list("user__organisation_id", "n")
    )
    region_of = dict(Organisation.objects.exclude(region=None).values_list("pk", "region_id"))

    def add(totals: dict[Any, int], key: Any, n: int) -> None:
        if key is not None:
            totals[key] = totals.get(key, 0) + n

    by_region: tuple[dict[Any, int], dict[Any, int]] = ({}, {})
    by_ministry: tuple[dict[Any, int], dict[Any, int]] = ({}, {})
    for index, counts in enumerate((trained_by_org, trainers_by_org)):
        for org_id, n in counts.items():
            add(by_region[index], region_of.get(org_id), n)
            add(by_ministry[index], roots.get(org_id), n)

    def row(name: str, key: Any, totals: tuple[dict[Any, int], dict[Any, int]]) -> GapRow:
        return GapRow(name, shown(totals[0].get(key, 0)), shown(totals[1].get(key, 0)), trained_target, trainer_target)

    regions = [row(r.name, r.pk, by_region) for r in Region.objects.order_by("name")]
    ministries = [row(str(m), m.pk, by_ministry) for m in Organisation.objects.active().ministries().order_by("name")]
    return {"regions": regions, "ministries": ministries}


def cofacilitation_choices(*, days: int = 180, limit: int = 200) -> list[tuple[str, str]]:
    """(session, trainer) pairs of the sessions held in the last `days`: what a trainee may
    declare having co-facilitated. Two queries."""
    since = timezone.now() - dt.timedelta(days=days)
    sessions = (
        Session.objects.trainings()
        .filter(starts_at__gte=since, starts_at__lte=timezone.now())
        .exclude(status__in=[Session.Status.DRAFT, Session.Status.CANCELLED])
        .select_related("course")
        .prefetch_related("trainers")
        .order_by("-starts_at")[:limit]
    )
    return [
        (
            f"{session.pk}:{trainer.pk}",
            f"{session.course} — {timezone.localtime(session.starts_at):%d/%m/%Y} — {trainer}",
        )
        for session in sessions
        for trainer in session.trainers.all()
    ]
