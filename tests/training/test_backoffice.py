"""The sessions back office: who may see and do what, the actions on registrants, attendance
and closing, the CSV export, the quarterly planning, and constant query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from essaim.accounts.models import Role
from essaim.catalogue.models import Course
from essaim.training.models import Attendance, Completion, Registration, Session
from essaim.training.services import registration_cancel, registration_create
from tests.factories import OrganisationFactory, UserFactory, grant
from tests.training.conftest import make_session

pytestmark = pytest.mark.django_db
S = Registration.Status

LIST_URL = reverse("training_admin:list")
PLANNING_URL = reverse("training_admin:planning")
SESSION_PAGES = ("detail", "attendance", "export")


def _register(session, user=None):
    user = user or UserFactory()
    return registration_create(session=session, agent=user, acting_user=user)


def _url(name, pk):
    return reverse(f"training_admin:{name}", args=[pk])


def _text(response) -> str:
    return response.content.decode()


def _listed(client, **params) -> list[Session]:
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return [row["session"] for row in response.context["rows"]]


@pytest.fixture
def outside_organiser(other_ministry):
    user = UserFactory(email="organisateur.b@exemple.gouv.fr", organisation=other_ministry)
    grant(user, Role.ORGANISER, other_ministry)
    return user


@pytest.fixture
def approval_session(intro_course, ministry):
    return make_session(intro_course, ministry, capacity=2, days_ahead=20, approval_mode=Session.ApprovalMode.ORGANISER)


@pytest.fixture
def past_session(intro_course, ministry):
    """A session whose two half-days are over, with three booked people (as in test_attendance)."""
    session = make_session(intro_course, ministry, capacity=4)
    registrations = [_register(session) for _ in range(3)]
    shift = dt.timedelta(days=31)
    for slot in session.slots.all():
        slot.starts_at -= shift
        slot.ends_at -= shift
        slot.save()
    Session.objects.filter(pk=session.pk).update(starts_at=session.starts_at - shift, ends_at=session.ends_at - shift)
    session.refresh_from_db()
    return session, registrations


# Who may see what ---------------------------------------------------------------------------


def test_the_organiser_of_the_sessions_ministry_sees_every_page(client, organiser, session, directorate):
    in_directorate = make_session(session.course, directorate, days_ahead=60)
    client.force_login(organiser)

    assert set(_listed(client)) == {session, in_directorate}  # their ministry and below it
    for name in SESSION_PAGES:
        assert client.get(_url(name, session.pk)).status_code == 200, name


def test_an_organiser_of_another_ministry_is_refused_and_does_not_list_it(client, outside_organiser, session):
    theirs = make_session(session.course, outside_organiser.organisation, days_ahead=60)
    client.force_login(outside_organiser)

    assert _listed(client) == [theirs]
    for name in SESSION_PAGES:
        assert client.get(_url(name, session.pk)).status_code == 404, name
    assert client.post(_url("capacity", session.pk), {"capacity-capacity": 9}).status_code == 404
    session.refresh_from_db()
    assert session.capacity == 2


def test_a_lab_coordinator_manages_the_sessions_of_their_lab(client, lab_coordinator, intro_course, lab, session):
    theirs = make_session(intro_course, lab, days_ahead=60)
    client.force_login(lab_coordinator)

    assert _listed(client) == [theirs]
    assert client.get(_url("detail", theirs.pk)).status_code == 200
    assert client.get(_url("detail", session.pk)).status_code == 404


def test_a_trainer_takes_attendance_but_does_not_manage(client, trainer, approval_session, intro_course, ministry):
    request = _register(approval_session)
    approval_session.trainers.add(trainer)
    other = make_session(intro_course, ministry, days_ahead=60)
    client.force_login(trainer)

    assert _listed(client) == [approval_session]
    assert client.get(_url("attendance", approval_session.pk)).status_code == 200
    detail = client.get(_url("detail", approval_session.pk))
    assert detail.status_code == 200  # who comes, read-only
    assert not detail.context["can_manage"]
    assert _url("approve", request.pk) not in _text(detail)
    assert _url("export", approval_session.pk) not in _text(detail)
    assert client.get(_url("export", approval_session.pk)).status_code == 404
    for name, data in [
        ("approve", {}),
        ("decline", {"reason": "Complet"}),
        ("cancel-registration", {"note": ""}),
        ("move", {"to_session": other.pk}),
    ]:
        assert client.post(_url(name, request.pk), data).status_code == 404, name
    assert client.post(_url("capacity", approval_session.pk), {"capacity-capacity": 9}).status_code == 404
    assert client.post(_url("cancel", approval_session.pk), {"cancel-reason": "Non"}).status_code == 404
    assert client.get(_url("attendance", other.pk)).status_code == 404  # not their session
    request.refresh_from_db()
    approval_session.refresh_from_db()
    assert request.status == S.REQUESTED
    assert (approval_session.capacity, approval_session.status) == (2, Session.Status.PUBLISHED)


def test_a_plain_agent_is_refused_everywhere(client, agent, session):
    registration = _register(session, agent)
    client.force_login(agent)

    assert client.get(LIST_URL).status_code == 403
    assert client.get(PLANNING_URL).status_code == 403
    for name in SESSION_PAGES:
        assert client.get(_url(name, session.pk)).status_code == 404, name
    assert client.post(_url("cancel-registration", registration.pk), {}).status_code == 404


def test_a_visitor_is_sent_to_the_login_page(client, session):
    login = reverse("accounts:login")
    for url in [LIST_URL, PLANNING_URL, *(_url(name, session.pk) for name in SESSION_PAGES)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url


def test_unknown_ids_are_not_found(client, programme_admin):
    client.force_login(programme_admin)
    for name in (*SESSION_PAGES, "close"):
        method = client.post if name == "close" else client.get
        assert method(_url(name, 999_999)).status_code == 404, name
    for name in ("approve", "decline", "cancel-registration", "move"):
        assert client.post(_url(name, 999_999), {}).status_code == 404, name


def test_only_programme_admins_see_the_planning(client, organiser, programme_admin):
    client.force_login(organiser)
    assert client.get(PLANNING_URL).status_code == 403
    client.force_login(programme_admin)
    assert client.get(PLANNING_URL).status_code == 200


# The list -----------------------------------------------------------------------------------


def test_the_list_counts_seats_waiting_and_requests_and_filters(
    client, programme_admin, session, approval_session, framework, ministry
):
    for _ in range(3):
        _register(session)  # two seats, then one waiting
    _register(approval_session)
    other_course = Course.objects.create(
        code="autre", title="Autre formation", summary="…", duration_half_days=2, framework=framework
    )
    draft = make_session(other_course, ministry, days_ahead=80, publish=False)
    client.force_login(programme_admin)

    response = client.get(LIST_URL)
    rows = {row["session"]: row["session"] for row in response.context["rows"]}
    assert (rows[session].seats_held, rows[session].capacity, rows[session].waiting) == (2, 2, 1)
    assert rows[approval_session].pending == 1
    assert "2 / 2" in _text(response)
    assert _listed(client, status="draft") == [draft]
    assert _listed(client, course=other_course.pk) == [draft]
    assert set(_listed(client, period="upcoming")) == {session, approval_session, draft}
    assert _listed(client, period="past") == []


def test_the_list_splits_past_and_upcoming(client, organiser, session, past_session):
    past, _registrations = past_session
    client.force_login(organiser)

    assert _listed(client, period="past") == [past]
    assert _listed(client, period="upcoming") == [session]


# Actions on the session's page --------------------------------------------------------------


def test_the_detail_groups_registrants_with_queue_positions(client, organiser, session):
    booked = [_register(session) for _ in range(2)]
    waiting = [_register(session) for _ in range(3)]
    registration_cancel(registration=waiting[0], acting_user=None, by_organiser=True)
    client.force_login(organiser)

    response = client.get(_url("detail", session.pk))

    groups = {group["status"]: group for group in response.context["groups"]}
    assert [row["registration"] for row in groups[S.BOOKED]["rows"]] == booked
    assert [(row["registration"], row["position"]) for row in groups[S.WAITLISTED]["rows"]] == [
        (waiting[1], 1),
        (waiting[2], 2),
    ]
    assert [row["registration"] for row in groups[S.CANCELLED_BY_ORGANISER]["rows"]] == [waiting[0]]
    assert "En liste d’attente (2)" in _text(response)


def test_approving_and_declining_requests(client, organiser, approval_session):
    first, second = _register(approval_session), _register(approval_session)
    client.force_login(organiser)

    response = client.post(_url("approve", first.pk), follow=True)
    assert "demande acceptée, inscrit" in _text(response).lower()
    first.refresh_from_db()
    assert first.status == S.BOOKED

    response = client.post(_url("decline", second.pk), {"reason": "  "})
    assert response.status_code == 400
    assert "Indiquez la raison du refus" in _text(response)
    second.refresh_from_db()
    assert second.status == S.REQUESTED

    client.post(_url("decline", second.pk), {"reason": "Session réservée aux agents du ministère"})
    second.refresh_from_db()
    assert second.status == S.DECLINED
    assert second.events.last().note == "Session réservée aux agents du ministère"

    response = client.post(_url("approve", second.pk), follow=True)  # already handled: a message, not a 500
    assert response.status_code == 200
    assert "Cette demande a déjà été traitée." in _text(response)


def test_cancelling_a_registration_by_the_organiser(client, organiser, session):
    registration = _register(session)
    client.force_login(organiser)

    response = client.post(_url("cancel-registration", registration.pk), {"note": "Doublon"}, follow=True)

    assert "est annulée" in _text(response)
    registration.refresh_from_db()
    assert registration.status == S.CANCELLED_BY_ORGANISER
    assert registration.events.last().note == "Doublon"


def test_moving_someone_to_another_session_of_the_course(client, organiser, session, framework, ministry):
    registration = _register(session)
    later = make_session(session.course, ministry, days_ahead=90)
    other_course = Course.objects.create(
        code="autre", title="Autre", summary="…", duration_half_days=2, framework=framework, status="published"
    )
    elsewhere = make_session(other_course, ministry, days_ahead=100)
    client.force_login(organiser)

    detail = client.get(_url("detail", session.pk))
    assert detail.context["move_targets"] == [later]

    response = client.post(_url("move", registration.pk), {"to_session": elsewhere.pk})
    assert response.status_code == 400
    assert "Choisissez une session à venir de la même formation." in _text(response)
    registration.refresh_from_db()
    assert registration.status == S.BOOKED

    client.post(_url("move", registration.pk), {"to_session": later.pk})
    registration.refresh_from_db()
    assert registration.status == S.MOVED
    assert Registration.objects.get(session=later, user=registration.user).status == S.BOOKED


def test_changing_the_capacity(client, organiser, session):
    for _ in range(2):
        _register(session)
    client.force_login(organiser)

    response = client.post(_url("capacity", session.pk), {"capacity-capacity": 1}, follow=True)
    assert "Impossible de descendre à 1 places : 2 personnes ont déjà une place." in _text(response)
    assert "fr-alert--error" in _text(response)
    session.refresh_from_db()
    assert session.capacity == 2

    response = client.post(_url("capacity", session.pk), {"capacity-capacity": 0})
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.capacity == 2

    client.post(_url("capacity", session.pk), {"capacity-capacity": 6})
    session.refresh_from_db()
    assert session.capacity == 6


def test_cancelling_the_session_needs_a_reason(client, organiser, session):
    registration = _register(session)
    client.force_login(organiser)

    response = client.post(_url("cancel", session.pk), {"cancel-reason": ""})
    assert response.status_code == 400
    assert "Indiquez la raison de l’annulation" in _text(response)
    session.refresh_from_db()
    assert session.status == Session.Status.PUBLISHED

    response = client.post(_url("cancel", session.pk), {"cancel-reason": "Formateur malade"}, follow=True)
    assert "La session est annulée" in _text(response)
    session.refresh_from_db()
    registration.refresh_from_db()
    assert (session.status, session.cancellation_reason) == (Session.Status.CANCELLED, "Formateur malade")
    assert registration.status == S.SESSION_CANCELLED


# Attendance ---------------------------------------------------------------------------------


def test_the_trainer_records_attendance_and_closes_the_session(client, trainer, past_session):
    session, (alice, bob, chloe) = past_session
    session.trainers.add(trainer)
    morning, afternoon = session.slots.all()
    url = _url("attendance", session.pk)
    client.force_login(trainer)

    page = client.get(url)
    assert page.context["can_close"]
    assert _text(page).count('name="mark-') == 2 * 3 * 4  # two half-days, three people, four choices

    marks = {f"mark-{alice.pk}": "present", f"mark-{bob.pk}": "late", f"mark-{chloe.pk}": "absent"}
    response = client.post(url, {"slot": morning.pk, **marks}, follow=True)
    assert "Présence enregistrée pour 3 personnes" in _text(response)
    client.post(url, {"slot": afternoon.pk, f"mark-{alice.pk}": "present", f"mark-{bob.pk}": "absent"})
    recorded = {(a.slot_id, a.registration_id): a.status for a in Attendance.objects.all()}
    assert recorded == {
        (morning.pk, alice.pk): "present",
        (morning.pk, bob.pk): "late",
        (morning.pk, chloe.pk): "absent",
        (afternoon.pk, alice.pk): "present",
        (afternoon.pk, bob.pk): "absent",
    }
    prefilled = client.get(url)
    assert re.search(rf'id="mark-{morning.pk}-{bob.pk}-late"[^>]*checked', _text(prefilled))
    assert not re.search(rf'id="mark-{afternoon.pk}-{chloe.pk}-[a-z]+"[^>]*checked', _text(prefilled))
    values = {p["registration"]: p["value"] for p in prefilled.context["slots"][1]["people"]}
    assert values == {alice: "present", bob: "absent", chloe: ""}

    response = client.post(_url("close", session.pk), follow=True)

    assert "Session clôturée : 1 formation validée." in _text(response)
    assert [c.user_id for c in Completion.objects.all()] == [alice.user_id]
    session.refresh_from_db()
    assert session.status == Session.Status.DONE
    assert not response.context["can_close"]
    assert 'name="mark-' not in _text(response)  # closed: read-only


def test_attendance_refuses_bad_input_without_recording(client, organiser, past_session, intro_course, ministry):
    session, (alice, *_others) = past_session
    morning = session.slots.first()
    url = _url("attendance", session.pk)
    client.force_login(organiser)

    response = client.post(url, {"slot": morning.pk, f"mark-{alice.pk}": "peut-être"})
    assert response.status_code == 400
    response = client.post(url, {"slot": morning.pk})
    assert response.status_code == 400
    assert "Indiquez la présence d’au moins une personne." in _text(response)
    assert not Attendance.objects.exists()

    upcoming = make_session(intro_course, ministry, days_ahead=50)
    registration = _register(upcoming)
    page = client.get(_url("attendance", upcoming.pk))
    assert not page.context["can_close"]
    assert "Le relevé de cette demi-journée ouvre une heure avant son début." in _text(page)
    response = client.post(
        _url("attendance", upcoming.pk),
        {"slot": upcoming.slots.first().pk, f"mark-{registration.pk}": "present"},
        follow=True,
    )
    assert "On ne relève pas la présence d’une demi-journée qui n’a pas commencé." in _text(response)
    response = client.post(_url("close", upcoming.pk), follow=True)
    assert "La session n’est pas terminée." in _text(response)
    assert not Attendance.objects.exists()


# CSV export ---------------------------------------------------------------------------------


def test_the_csv_export_lists_every_registrant(client, organiser, session, directorate):
    first = _register(session, UserFactory(given_name="Ada", usual_name="Lovelace", organisation=directorate))
    _register(session, UserFactory(given_name="Alan", usual_name="Turing"))
    waiting = _register(session, UserFactory(given_name="Grace", usual_name="=Hopper", email="grace@exemple.gouv.fr"))
    client.force_login(organiser)

    response = client.get(_url("export", session.pk))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["nom", "prénom", "courriel", "organisation", "statut", "position", "inscrit le"]
    assert len(rows) == 4
    assert rows[1][:6] == ["Lovelace", "Ada", first.user.email, "Direction de test A1", "Inscrit", ""]
    assert rows[1][6] == timezone.localtime(first.created_at).strftime("%d/%m/%Y %H:%M")
    assert rows[2][0:2] == ["Turing", "Alan"] and rows[2][3] == ""
    assert rows[3][:6] == ["'=Hopper", "Grace", "grace@exemple.gouv.fr", "", "En liste d’attente", "1"]
    assert waiting.status == S.WAITLISTED


# Planning -----------------------------------------------------------------------------------


def _quarter(when: dt.datetime) -> tuple[int, int]:
    local = timezone.localtime(when)
    return local.year, (local.month - 1) // 3 + 1


def test_the_planning_flags_quarters_without_an_introduction_session(
    client, programme_admin, intro_course, framework, ministry
):
    intro = make_session(intro_course, ministry, days_ahead=10)
    make_session(intro_course, ministry, days_ahead=12, publish=False)  # a draft does not count
    deep_dive = Course.objects.create(
        code="approfondissement", title="Approfondissement", summary="…", duration_half_days=2, framework=framework
    )
    other = make_session(deep_dive, ministry, days_ahead=200)
    client.force_login(programme_admin)

    response = client.get(PLANNING_URL)

    quarters = {(q.year, q.quarter): q for q in response.context["quarters"]}
    today = timezone.localdate()
    assert sorted({year for year, _q in quarters}) == [today.year, today.year + 1]
    assert len(quarters) == 8
    intro_quarter = quarters[_quarter(intro.starts_at)]
    assert (intro_quarter.introduction, intro_quarter.lacks_introduction) == (1, False)
    other_quarter = quarters[_quarter(other.starts_at)]
    if other_quarter is not intro_quarter:
        assert other_quarter.other == 1 and other_quarter.lacks_introduction
    assert response.context["missing"] == 7
    assert _text(response).count("Aucune session d’introduction") == 7
    assert "fr-badge--warning" in _text(response)


# Query counts -------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("role", ["programme_admin", "organiser"])
def test_list_and_detail_query_counts_do_not_grow_with_registrants(client, role, request, intro_course, ministry):
    user = request.getfixturevalue(role)
    client.force_login(user)
    sessions = [make_session(intro_course, ministry, capacity=5, days_ahead=20 + 10 * i) for i in range(2)]
    for session in sessions:
        for _ in range(3):
            _register(session)
    session = sessions[0]
    small = (_queries(client, LIST_URL), _queries(client, _url("detail", session.pk)))

    for _ in range(9):
        _register(session)  # booked, then waiting
    registration_cancel(
        registration=Registration.objects.filter(session=session).first(), acting_user=None, by_organiser=True
    )
    sessions.append(make_session(intro_course, OrganisationFactory(parent=ministry), capacity=5, days_ahead=90))
    large = (_queries(client, LIST_URL), _queries(client, _url("detail", session.pk)))

    assert Registration.objects.filter(session=session).count() == 12
    assert small == large


def test_attendance_and_export_query_counts_do_not_grow(client, organiser, past_session):
    session, _registrations = past_session
    client.force_login(organiser)
    counts = [_queries(client, _url("attendance", session.pk))]
    session.capacity = 20
    session.save(update_fields=["capacity"])
    for _ in range(9):
        registration = Registration.objects.create(session=session, user=UserFactory(), status=S.BOOKED)
        Attendance.objects.create(registration=registration, slot=session.slots.first(), status="present")
    counts.append(_queries(client, _url("attendance", session.pk)))
    assert counts[0] == counts[1]
