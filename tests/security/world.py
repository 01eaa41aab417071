"""One small world for the security tests: seven roles, and objects owned by the requester,
by another person of the same ministry, and by someone of another ministry (B)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from essaim.accounts.models import Role
from essaim.accounts.services import api_token_create
from essaim.catalogue.models import Course, CourseOutcome
from essaim.credentials.services import credential_issue
from essaim.framework.models import Competency, FrameworkVersion, Level
from essaim.library.services import ResourceData, Upload, collection_create, resource_create, resource_import
from essaim.network.models import CoFacilitation, DirectoryProfile, FacilitationRequest, Invitation
from essaim.organisations.models import Region
from essaim.surveys.models import Survey
from essaim.training.services import registration_create
from tests.credentials.conftest import close_past_session
from tests.factories import OrganisationFactory, UserFactory, grant
from tests.security.hostile_corpus import png
from tests.training.conftest import make_session

ROLES = ("anonymous", "agent", "partner", "trainer", "organiser", "lab_coordinator", "programme_admin")
# A real 1×1 PNG (uploads are decoded and their CRCs checked, library/file_checks.py).
PNG = png(1, 1)


@dataclass
class World:
    people: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    o: dict[str, Any] = field(default_factory=dict)  # named objects, used by the route table

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["o"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    w = World()
    o = w.o
    o["ministry"] = ministry = OrganisationFactory(name="Ministère de test A", slug="ministere-a")
    o["other_ministry"] = other_ministry = OrganisationFactory(name="Ministère de test B", slug="ministere-b")
    o["directorate"] = directorate = OrganisationFactory(
        name="Direction de test A1", slug="direction-a1", kind="directorate", parent=ministry
    )
    o["lab"] = lab = OrganisationFactory(name="Laboratoire de test", slug="lab-test", kind="lab")
    lab.region = Region.objects.get(code="11")  # a lab coordinator's figures are their lab's region's
    lab.save(update_fields=["region"])
    o["partner_org"] = partner_org = OrganisationFactory(
        name="Association partenaire", slug="association-partenaire", kind="partner"
    )
    agent = UserFactory(email="agent@exemple.gouv.fr", organisation=directorate)
    colleague = UserFactory(email="collegue@exemple.gouv.fr", organisation=directorate)
    other_agent = UserFactory(email="autre.agent@exemple.gouv.fr", organisation=other_ministry)
    partner = UserFactory(email="partenaire@exemple.org", organisation=partner_org, auth_source="email")
    grant(partner, Role.PARTNER, partner_org)
    trainer = UserFactory(email="formateur@exemple.gouv.fr", organisation=ministry)
    grant(trainer, Role.TRAINER)
    organiser = UserFactory(email="organisateur@exemple.gouv.fr", organisation=ministry)
    grant(organiser, Role.ORGANISER, ministry)
    coordinator = UserFactory(email="coordination@exemple.gouv.fr", organisation=lab)
    grant(coordinator, Role.LAB_COORDINATOR, lab)
    admin = UserFactory(email="admin@modernisation.gouv.fr", is_staff=True)
    grant(admin, Role.PROGRAMME_ADMIN)
    w.people = {
        "anonymous": None,
        "agent": agent,
        "partner": partner,
        "trainer": trainer,
        "organiser": organiser,
        "lab_coordinator": coordinator,
        "programme_admin": admin,
    }
    o.update(agent=agent, colleague=colleague, other_agent=other_agent, trainer=trainer, admin=admin)
    for role, person in w.people.items():
        if person is not None:
            w.tokens[role] = api_token_create(user=person, name="matrice", acting_user=person)[1]
    o["agent_token"] = api_token_create(user=agent, name="mon outil", acting_user=agent)[0]
    o["other_token"] = api_token_create(user=other_agent, name="son outil", acting_user=other_agent)[0]

    # Framework and courses: a published version, a draft, a published and a draft course.
    o["framework"] = framework = FrameworkVersion.objects.create(
        version="sec-1", title="Référentiel", status=FrameworkVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    o["draft_framework"] = FrameworkVersion.objects.create(
        version="sec-2", title="Référentiel (brouillon)", status=FrameworkVersion.Status.DRAFT
    )
    level = Level.objects.create(framework=framework, rank=1, code="decouvrir", name="Découvrir")
    competency = Competency.objects.create(framework=framework, code="animer", name="Animer un atelier")
    o["course"] = course = Course.objects.create(
        code="facilitation-fondamentaux",
        title="Facilitation : les fondamentaux",
        summary="Deux jours.",
        duration_half_days=4,
        framework=framework,
        status=Course.Status.PUBLISHED,
        is_introduction=True,
    )
    CourseOutcome.objects.create(course=course, competency=competency, level=level)
    o["draft_course"] = Course.objects.create(
        code="cours-brouillon", title="Cours en préparation", summary="…", duration_half_days=2, framework=framework
    )

    # Credentials: the agent's and another ministry's person's, from closed past sessions.
    done_a = close_past_session(course, ministry, [agent], admin)
    o["past_session_a"] = done_a[0].session
    o["credential_own"] = credential_issue(completion=done_a[0])
    done_b = close_past_session(course, other_ministry, [other_agent], admin)
    o["past_session_b"] = done_b[0].session
    o["credential_other"] = credential_issue(completion=done_b[0])

    # Sessions of ministry A (the trainer teaches it) and of ministry B; registrations.
    o["session_a"] = session_a = make_session(course, ministry, capacity=5)
    session_a.trainers.add(trainer)
    o["slot_a"] = session_a.slots.first()
    o["session_b"] = session_b = make_session(course, other_ministry, capacity=5)
    o["registration_own"] = registration_create(session=session_a, agent=agent, acting_user=agent)
    o["registration_colleague"] = registration_create(session=session_a, agent=colleague, acting_user=colleague)
    o["registration_b"] = registration_create(session=session_b, agent=other_agent, acting_user=other_agent)

    # The practice log: the agent's own entry and another person's.
    from essaim.practice.services import practice_entry_create

    for key, person in (("practice_own", agent), ("practice_other", other_agent)):
        o[key] = practice_entry_create(
            user=person,
            acting_user=person,
            date=timezone.localdate() - dt.timedelta(days=3),
            title="Atelier",
            method="World café",
            participants=12,
        )

    # Library: a published resource with a file, the agent's and another person's submissions.
    o["resource_public"] = resource_import(
        record={
            "title": "Le world café",
            "summary": "Conversations tournantes.",
            "type": "method",
            "licence": "etalab-2.0",
            "language": "fr",
            "published": True,
        }
    )
    data = ResourceData(title="Ma contribution", summary="Soumise par l’agent.")
    o["resource_own"] = resource_create(data=data, acting_user=agent, uploads=[Upload("plan.png", PNG)])
    o["file_own"] = o["resource_own"].files.first()
    data = ResourceData(title="Sa contribution", summary="Soumise par une autre personne.")
    o["resource_other"] = resource_create(data=data, acting_user=other_agent, uploads=[Upload("plan.png", PNG)])
    o["file_other"] = o["resource_other"].files.first()
    o["collection_own"] = collection_create(owner=agent, title="Ma sélection", acting_user=agent)
    o["collection_other"] = collection_create(owner=other_agent, title="Sa sélection", acting_user=other_agent)

    # Network: the trainer is listed; requests by the agent and by another person; an invitation.
    o["profile_trainer"] = DirectoryProfile.objects.create(user=trainer, consent=True, consented_at=timezone.now())
    o["profile_unlisted"] = DirectoryProfile.objects.create(user=other_agent, consent=False)
    request_fields = {
        "topic": "Atelier",
        "date": timezone.localdate() + dt.timedelta(days=20),
        "is_remote": True,
        "competency_code": "animer",
        "competency_name": "Animer un atelier",
        "audience_size": 20,
    }
    o["request_own"] = FacilitationRequest.objects.create(requester=agent, **request_fields)
    o["request_other"] = FacilitationRequest.objects.create(requester=other_agent, **request_fields)
    o["invitation_trainer"] = Invitation.objects.create(request=o["request_own"], facilitator=trainer)
    o["invitation_other"] = Invitation.objects.create(request=o["request_other"], facilitator=colleague)
    o["cofacilitation_trainer"] = CoFacilitation.objects.create(session=session_a, trainee=agent, mentor=trainer)
    o["cofacilitation_other"] = CoFacilitation.objects.create(session=session_b, trainee=other_agent, mentor=admin)

    o["survey"] = survey = Survey.objects.create(title="Après la session", kind=Survey.Kind.values[0])
    survey.courses.add(course)

    # Events: one organised by ministry A, one by ministry B; a session of A co-run with the partner.
    from essaim.events.services import event_create

    start = timezone.now() + dt.timedelta(days=20)
    event_fields = {"kind": "webinar", "description": "Un webinaire.", "starts_at": start, "capacity": 5}
    event_fields |= {
        "ends_at": start + dt.timedelta(hours=2),
        "venue": "remote",
        "remote_url": "https://visio.exemple.fr/a",
    }
    o["event_a"] = event_create(
        title="Webinaire du ministère A", organiser=ministry, acting_user=organiser, publish=True, **event_fields
    )
    o["event_b"] = event_create(
        title="Webinaire du ministère B", organiser=other_ministry, acting_user=admin, publish=True, **event_fields
    )

    # The delegation: this year's call, open; the agent (trained above) has applied, so has another.
    from essaim.delegation.models import Call
    from essaim.delegation.services import CallData, application_submit, call_create, call_set_status

    today = timezone.localdate()
    o["call"] = call = call_create(
        data=CallData(
            year=today.year,
            title="Délégation de test",
            description="Appel à candidatures.",
            place="Bruxelles",
            event_starts_on=today + dt.timedelta(days=60),
            event_ends_on=today + dt.timedelta(days=61),
            opens_at=timezone.now() - dt.timedelta(days=1),
            closes_at=timezone.now() + dt.timedelta(days=10),
            seats=4,
            ministry_quota=2,
        ),
        acting_user=admin,
    )
    call_set_status(call=call, status=Call.Status.OPEN, acting_user=admin)
    motivation = "Je souhaite représenter mon ministère et partager nos pratiques de participation."
    o["application_own"] = application_submit(call=call, user=agent, motivation=motivation)
    o["application_other"] = application_submit(call=call, user=other_agent, motivation=motivation)

    # Lab pilots: one accepted (run by the lab), one still a proposal by another person.
    from essaim.network import pilots

    o["pilot"] = pilot = pilots.pilot_propose(
        lab=lab, proposer=agent, title="Budget participatif interne", problem="Un problème.", solution="Une solution."
    )
    pilots.pilot_decide(pilot=pilot, acting_user=coordinator, accept=True, reason="")
    o["proposal_other"] = pilots.pilot_propose(
        lab=lab, proposer=other_agent, title="Jury citoyen", problem="Un problème.", solution="Une solution."
    )
    o["lab_coordinator"] = coordinator
    return w
