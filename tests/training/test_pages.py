"""The public session pages and an agent's registrations, through the web client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from essaim.catalogue.models import Course, Prerequisite
from essaim.organisations.models import Region
from essaim.training.models import Registration, Session
from essaim.training.services import registration_cancel, registration_create
from essaim.training.sessions import session_cancel
from tests.factories import UserFactory
from tests.training.conftest import make_session

pytestmark = pytest.mark.django_db
S = Registration.Status

LIST_URL = reverse("training:list")
MINE_URL = reverse("training:mine")


def _register(session, user):
    return registration_create(session=session, agent=user, acting_user=user)


def _text(response) -> str:
    return response.content.decode()


def _titles_listed(client, **params) -> list[str]:
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return [row["session"].course.title for row in response.context["rows"]]


@pytest.fixture
def advanced_course(intro_course):
    return Course.objects.create(
        code="facilitation-avancee",
        title="Facilitation avancée",
        summary="Pour aller plus loin.",
        duration_half_days=2,
        framework=intro_course.framework,
        status=Course.Status.PUBLISHED,
        format=Course.Format.REMOTE,
    )


@pytest.fixture
def full_session(intro_course, ministry):
    """Capacity 1, already taken by someone else."""
    full = make_session(intro_course, ministry, capacity=1, days_ahead=40)
    _register(full, UserFactory())
    return full


# The list ---------------------------------------------------------------------------------


def test_list_shows_upcoming_published_sessions_only(client, session, intro_course, ministry):
    make_session(intro_course, ministry, days_ahead=50, publish=False)  # draft
    cancelled = make_session(intro_course, ministry, days_ahead=60)
    session_cancel(session=cancelled, acting_user=None, reason="Formateur indisponible")
    past = make_session(intro_course, ministry, days_ahead=70)
    Session.objects.filter(pk=past.pk).update(starts_at=timezone.now() - dt.timedelta(days=3))

    response = client.get(LIST_URL)

    assert [row["session"] for row in response.context["rows"]] == [session]
    assert reverse("training:detail", args=[session.pk]) in _text(response)
    assert "2 places disponibles" in _text(response)


def test_list_filters_by_course_region_month_format_and_free_seats(
    client, session, full_session, intro_course, advanced_course, ministry
):
    ile_de_france, auvergne = Region.objects.get(code="11"), Region.objects.get(code="84")
    Session.objects.filter(pk=session.pk).update(region=ile_de_france)
    remote = make_session(advanced_course, ministry, days_ahead=100, region=auvergne, venue=Session.Venue.REMOTE)
    month = timezone.localtime(remote.starts_at).strftime("%Y-%m")

    assert len(_titles_listed(client)) == 3
    assert _titles_listed(client, course="facilitation-avancee") == ["Facilitation avancée"]
    assert [r["session"] for r in client.get(LIST_URL, {"region": "11"}).context["rows"]] == [session]
    assert _titles_listed(client, month=month) == ["Facilitation avancée"]
    assert _titles_listed(client, format="remote") == ["Facilitation avancée"]
    free = [r["session"] for r in client.get(LIST_URL, {"seats_left": "on"}).context["rows"]]
    assert full_session not in free and session in free
    assert _titles_listed(client, course="facilitation-avancee", region="11") == []


def test_list_keeps_valid_filters_and_explains_an_invalid_one(client, session, advanced_course, ministry):
    make_session(advanced_course, ministry, days_ahead=100)

    response = client.get(LIST_URL, {"course": "facilitation-avancee", "month": "mars"})

    assert response.status_code == 200
    assert response.context["form"].errors["month"]
    assert [r["session"].course.title for r in response.context["rows"]] == ["Facilitation avancée"]
    assert "Aucune session" not in _text(response)


def test_a_full_session_shows_its_waiting_list(client, full_session):
    _register(full_session, UserFactory())

    assert "Complet — liste d’attente : 1" in _text(client.get(LIST_URL))


def test_the_list_marks_the_sessions_the_agent_is_registered_to(client, agent, session):
    _register(session, agent)
    client.force_login(agent)

    assert [r["my_status"] for r in client.get(LIST_URL).context["rows"]] == ["Inscrit"]


def test_list_is_paginated_by_twenty(client, intro_course, ministry):
    for day in range(21):
        make_session(intro_course, ministry, days_ahead=10 + day)

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})

    assert len(first.context["rows"]) == 20
    assert len(second.context["rows"]) == 1
    assert "21 sessions à venir" in _text(first)
    assert "?page=2" in _text(first)


@pytest.mark.parametrize("count", [5, 25])
def test_list_runs_a_constant_number_of_queries(
    client, agent, intro_course, ministry, lab, count, django_assert_num_queries
):
    for day in range(count):
        # Rows in a lab of a region, as the page shows them: no extra query per row.
        venue = {"venue": "lab", "lab": lab, "region": Region.objects.get(code="11")} if day % 2 else {}
        upcoming = make_session(intro_course, ministry, capacity=1, days_ahead=10 + day, **venue)
        _register(upcoming, UserFactory())
        _register(upcoming, UserFactory())  # waiting
    _register(make_session(intro_course, ministry, days_ahead=5), agent)
    client.force_login(agent)

    # session, user, roles (header), count, page, the agent's registrations, course and region options
    with django_assert_num_queries(8):
        response = client.get(LIST_URL, {"format": "in_person"})

    assert len(response.context["rows"]) == min(count + 1, 20)
    assert "Île-de-France" in response.content.decode()


# The detail page --------------------------------------------------------------------------


def test_a_visitor_sees_the_session_and_a_login_link(client, session):
    url = reverse("training:detail", args=[session.pk])

    page = _text(client.get(url))

    assert "Facilitation : les fondamentaux" in page
    assert "Deux jours pour apprendre à faciliter." in page
    assert "2 places disponibles" in page
    assert "Liste d’attente : 0" in page
    assert "Se connecter pour s’inscrire" in page
    assert f"/connexion/?next=%2Fsessions%2F{session.pk}%2F" in page
    assert "M’inscrire" not in page


def test_the_detail_lists_each_half_day(client, session):
    page = _text(client.get(reverse("training:detail", args=[session.pk])))

    for slot in session.slots.all():
        start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)

        # French typography: « 10 h – 13 h », « 14 h 30 » (non-breaking spaces)
        def hour(t):
            return f"{t.hour}\u00a0h" + (f"\u00a0{t.minute:02d}" if t.minute else "")

        assert f"{hour(start)} –\u00a0{hour(end)}" in page


def test_unknown_or_draft_session_is_a_404(client, intro_course, ministry):
    draft = make_session(intro_course, ministry, publish=False)

    assert client.get(reverse("training:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("training:detail", args=[999_999])).status_code == 404


def test_an_eligible_agent_sees_the_register_button(client, agent, session):
    client.force_login(agent)

    page = _text(client.get(reverse("training:detail", args=[session.pk])))

    assert "M’inscrire" in page
    assert "Se connecter pour s’inscrire" not in page


def test_missing_prerequisites_are_explained_instead_of_the_button(
    client, agent, intro_course, advanced_course, ministry
):
    Prerequisite.objects.create(course=advanced_course, required_course=intro_course)
    advanced = make_session(advanced_course, ministry)
    client.force_login(agent)

    page = _text(client.get(reverse("training:detail", args=[advanced.pk])))

    assert "Il faut d’abord avoir validé la formation « Facilitation : les fondamentaux »." in page
    assert "M’inscrire" not in page


def test_the_waiting_list_position_is_shown(client, agent, full_session):
    _register(full_session, UserFactory())
    _register(full_session, agent)
    client.force_login(agent)

    page = _text(client.get(reverse("training:detail", args=[full_session.pk])))

    assert "Vous êtes n° 2 sur la liste d’attente." in page
    # Leaving the list is named as such, and the confirmation says the position is lost.
    assert "Quitter la liste d’attente" in page and "Annuler mon inscription" not in page
    assert "Vous perdez votre position (n° 2)" in page
    assert "M’inscrire" not in page


def test_an_offered_seat_shows_its_deadline_and_the_accept_button(
    client, agent, intro_course, ministry, django_capture_on_commit_callbacks
):
    full = make_session(intro_course, ministry, capacity=1)
    holder = UserFactory()
    held = _register(full, holder)
    mine = _register(full, agent)
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=held, acting_user=holder)
    mine.refresh_from_db()
    assert mine.status == S.OFFERED
    client.force_login(agent)

    page = _text(client.get(reverse("training:detail", args=[full.pk])))

    deadline = timezone.localtime(mine.offered_until)
    assert "Place proposée" in page
    assert f"à {deadline.hour}\u00a0h" in page  # « à 7 h 18 »
    assert "elle vous est réservée jusqu’au" in page
    assert reverse("training:accept-offer", args=[mine.pk]) in page


def test_the_remote_link_is_only_for_booked_people(client, agent, other_agent, advanced_course, ministry):
    remote = make_session(
        advanced_course, ministry, capacity=1, venue=Session.Venue.REMOTE, remote_url="https://visio.exemple.fr/abc"
    )
    url = reverse("training:detail", args=[remote.pk])
    assert "visio.exemple.fr" not in _text(client.get(url))
    _register(remote, agent)
    _register(remote, other_agent)  # waiting

    client.force_login(other_agent)
    assert "visio.exemple.fr" not in _text(client.get(url))
    client.force_login(agent)
    assert "https://visio.exemple.fr/abc" in _text(client.get(url))


def test_a_cancelled_session_shows_why_and_no_button(client, agent, session):
    session_cancel(session=session, acting_user=None, reason="Formateur indisponible")
    client.force_login(agent)

    page = _text(client.get(reverse("training:detail", args=[session.pk])))

    assert "Cette session a été annulée." in page
    assert "Formateur indisponible" in page
    assert "M’inscrire" not in page


# Registering, cancelling, accepting --------------------------------------------------------


def test_register_books_a_seat_and_says_so(client, agent, session):
    client.force_login(agent)

    response = client.post(reverse("training:register", args=[session.pk]), follow=True)

    assert response.redirect_chain == [(reverse("training:detail", args=[session.pk]), 302)]
    assert "Vous êtes inscrit à cette session." in _text(response)
    assert Registration.objects.get(session=session, user=agent).status == S.BOOKED
    assert "Annuler mon inscription" in _text(response)


def test_register_on_a_full_session_gives_the_waiting_list_position(client, agent, full_session):
    _register(full_session, UserFactory())
    client.force_login(agent)

    response = client.post(reverse("training:register", args=[full_session.pk]), follow=True)

    assert "Session complète : vous êtes n° 2 sur la liste d’attente." in _text(response)
    assert Registration.objects.get(session=full_session, user=agent).status == S.WAITLISTED


def test_a_double_submit_registers_once_and_explains(client, agent, session):
    client.force_login(agent)
    url = reverse("training:register", args=[session.pk])

    client.post(url)
    response = client.post(url, follow=True)

    assert "Vous êtes déjà inscrit à cette session." in _text(response)
    assert "fr-alert--error" in _text(response)
    assert Registration.objects.filter(session=session, user=agent).count() == 1


def test_closed_signups_give_a_message_and_no_registration(client, agent, intro_course, ministry):
    closed = make_session(intro_course, ministry, signup_closes_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(agent)

    response = client.post(reverse("training:register", args=[closed.pk]), follow=True)

    assert response.status_code == 200
    assert "Les inscriptions à cette session sont closes." in _text(response)
    assert not Registration.objects.filter(session=closed).exists()


def test_missing_prerequisites_refuse_the_post_too(client, agent, intro_course, advanced_course, ministry):
    Prerequisite.objects.create(course=advanced_course, required_course=intro_course)
    advanced = make_session(advanced_course, ministry)
    client.force_login(agent)

    response = client.post(reverse("training:register", args=[advanced.pk]), follow=True)

    assert "Il faut d’abord avoir validé" in _text(response)
    assert not Registration.objects.filter(session=advanced).exists()


def test_register_to_an_unknown_or_draft_session_is_a_404(client, agent, intro_course, ministry):
    draft = make_session(intro_course, ministry, publish=False)
    client.force_login(agent)

    assert client.post(reverse("training:register", args=[999_999])).status_code == 404
    assert client.post(reverse("training:register", args=[draft.pk])).status_code == 404
    assert not Registration.objects.exists()


def test_actions_are_post_only(client, agent, session):
    registration = _register(session, agent)
    client.force_login(agent)

    assert client.get(reverse("training:register", args=[session.pk])).status_code == 405
    assert client.get(reverse("training:cancel", args=[registration.pk])).status_code == 405
    registration.refresh_from_db()
    assert registration.status == S.BOOKED


def test_a_visitor_posting_is_sent_to_login(client, agent, session):
    registration = _register(session, agent)

    for url, next_url in (
        (reverse("training:register", args=[session.pk]), reverse("training:detail", args=[session.pk])),
        (reverse("training:cancel", args=[registration.pk]), MINE_URL),
        (reverse("training:accept-offer", args=[registration.pk]), MINE_URL),
    ):
        response = client.post(url)
        assert response.status_code == 302
        login, _, query = response.url.partition("?")
        assert (login, QueryDict(query)["next"]) == (reverse("accounts:login"), next_url)
    assert Registration.objects.get().status == S.BOOKED
    assert client.get(MINE_URL).status_code == 302


def test_cancel_frees_the_seat_and_returns_to_the_detail(client, agent, session):
    registration = _register(session, agent)
    client.force_login(agent)

    response = client.post(reverse("training:cancel", args=[registration.pk]), follow=True)

    assert response.redirect_chain == [(reverse("training:detail", args=[session.pk]), 302)]
    assert "Votre inscription à « Facilitation : les fondamentaux » est annulée." in _text(response)
    registration.refresh_from_db()
    assert registration.status == S.CANCELLED
    assert "M’inscrire" in _text(response)


def test_cancel_from_my_registrations_returns_there(client, agent, session):
    registration = _register(session, agent)
    client.force_login(agent)

    response = client.post(reverse("training:cancel", args=[registration.pk]), {"next": MINE_URL})
    assert response.url == MINE_URL
    response = client.post(reverse("training:cancel", args=[registration.pk]), {"next": "https://ailleurs.example/"})
    assert response.url == reverse("training:detail", args=[session.pk])  # an outside URL is ignored


def test_cancelling_twice_explains_instead_of_failing(client, agent, session):
    registration = _register(session, agent)
    client.force_login(agent)
    url = reverse("training:cancel", args=[registration.pk])

    client.post(url)
    response = client.post(url, follow=True)

    assert "Cette inscription n’est plus active." in _text(response)


def test_too_late_to_cancel_is_explained(client, agent, intro_course, ministry):
    soon = make_session(intro_course, ministry, days_ahead=1, cancellation_cutoff_hours=72)
    registration = _register(soon, agent)
    client.force_login(agent)

    response = client.post(reverse("training:cancel", args=[registration.pk]), follow=True)

    assert "Il est trop tard pour annuler en ligne" in _text(response)
    registration.refresh_from_db()
    assert registration.status == S.BOOKED


def test_accepting_an_offer_books_the_seat(client, agent, intro_course, ministry, django_capture_on_commit_callbacks):
    full = make_session(intro_course, ministry, capacity=1)
    holder = UserFactory()
    held = _register(full, holder)
    mine = _register(full, agent)
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=held, acting_user=holder)
    client.force_login(agent)

    response = client.post(reverse("training:accept-offer", args=[mine.pk]), follow=True)

    assert "Vous avez accepté la place : vous êtes inscrit à cette session." in _text(response)
    mine.refresh_from_db()
    assert mine.status == S.BOOKED


def test_accepting_without_an_offer_is_explained(client, agent, session):
    registration = _register(session, agent)
    client.force_login(agent)

    response = client.post(reverse("training:accept-offer", args=[registration.pk]), follow=True)

    assert "Aucune place ne vous est proposée pour cette session." in _text(response)


def test_another_persons_registration_is_a_404_and_unchanged(client, agent, other_agent, session):
    theirs = _register(session, other_agent)
    client.force_login(agent)

    assert client.post(reverse("training:cancel", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("training:accept-offer", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("training:cancel", args=[999_999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.BOOKED
    assert theirs.events.count() == 1


# My registrations -------------------------------------------------------------------------


def test_my_registrations_lists_upcoming_and_past_with_actions(client, agent, session, full_session, intro_course):
    booked = _register(session, agent)
    waiting = _register(full_session, agent)
    done = make_session(intro_course, session.organiser, days_ahead=90)
    old = _register(done, agent)
    Session.objects.filter(pk=done.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=10), ends_at=timezone.now() - dt.timedelta(days=9)
    )
    _register(make_session(intro_course, session.organiser, days_ahead=95), UserFactory())  # not mine
    client.force_login(agent)

    response = client.get(MINE_URL)

    assert [row["registration"] for row in response.context["upcoming"]] == [booked, waiting]
    assert [row["registration"] for row in response.context["past"]] == [old]
    page = _text(response)
    assert "Vous êtes n° 1 sur la liste d’attente." in page
    assert reverse("training:cancel", args=[booked.pk]) in page
    assert reverse("training:cancel", args=[waiting.pk]) in page
    assert reverse("training:cancel", args=[old.pk]) not in page


def test_my_registrations_is_empty_for_a_newcomer(client, agent):
    client.force_login(agent)

    page = _text(client.get(MINE_URL))

    assert "Aucune inscription à venir." in page
    assert "Aucune session passée." in page


def test_my_registrations_query_count_does_not_grow_with_waiting_lists(client, intro_course, ministry):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from essaim.training.services import registration_create
    from tests.factories import UserFactory
    from tests.training.conftest import make_session

    agent = UserFactory()
    client.force_login(agent)
    counts = []
    for index in range(3):
        full = make_session(intro_course, ministry, capacity=1, days_ahead=200 + 10 * index)
        registration_create(session=full, agent=UserFactory(), acting_user=None)
        registration_create(session=full, agent=agent, acting_user=agent)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/sessions/mes-inscriptions/")
        counts.append(len(queries.captured_queries))
    assert response.content.decode().count("n° 1 sur la liste d’attente") == 3
    assert counts[0] == counts[1] == counts[2]


def test_month_filter_uses_local_midnights(intro_course, ministry):
    import datetime as dt

    from django.utils import timezone

    from essaim.training.selectors import session_list
    from tests.training.conftest import make_session

    session = make_session(intro_course, ministry, days_ahead=400)
    tz = timezone.get_current_timezone()
    first_local = dt.datetime(session.starts_at.year + 1, 12, 1, 0, 30, tzinfo=tz)  # 23:30 UTC the day before
    type(session).objects.filter(pk=session.pk).update(
        starts_at=first_local, ends_at=first_local + dt.timedelta(hours=3)
    )
    december = dt.date(first_local.year, 12, 1)
    november = dt.date(first_local.year, 11, 1)
    assert list(session_list(month=december).values_list("pk", flat=True)) == [session.pk]
    assert not session_list(month=november).exists()
