"""The pages: public, « Ma candidature », the back office; who may see what; personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.core.personal_data import personal_data_erase, personal_data_export, personal_data_retention
from essaim.delegation.models import Application, Call
from essaim.delegation.selectors import selection_balance
from essaim.delegation.services import (
    ReportData,
    application_decide,
    application_submit,
    call_report_publish,
    call_set_status,
    selection_publish,
)
from essaim.library.models import Resource
from tests.delegation.conftest import MOTIVATION, close_window
from tests.factories import OrganisationFactory

S = Application.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def ministries(db):
    return [OrganisationFactory(name=f"Ministère {c}", slug=f"ministere-{c}") for c in "xyz"]


def test_an_agent_applies_edits_and_withdraws_from_the_page(client, open_call, make_agent, ministries):
    agent = make_agent(ministries[0])
    client.force_login(agent)
    url = reverse("delegation:mine")
    page = client.get(url)
    assert "Envoyer ma candidature" in page.content.decode()
    assert client.post(url, {"motivation": "trop court"}).status_code == 400
    response = client.post(url, {"motivation": MOTIVATION, "availability_note": "Tous les jours"})
    assert response.status_code == 302
    application = Application.objects.get(user=agent)
    page = client.get(url).content.decode()
    assert "Modifier ma candidature" in page and "Tous les jours" in page
    client.post(url, {"motivation": MOTIVATION + " Modifiée."})
    application.refresh_from_db()
    assert application.motivation.endswith("Modifiée.")
    client.post(reverse("delegation:withdraw", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN


def test_an_untrained_agent_is_told_who_may_apply(client, open_call, make_agent, ministries):
    client.force_login(make_agent(ministries[0], trained=False))
    page = client.get(reverse("delegation:mine")).content.decode()
    assert "validé au moins une formation" in page
    assert "Envoyer ma candidature" not in page


def test_the_outcome_shows_only_once_the_selection_is_published(
    client, open_call, make_agent, ministries, programme_admin
):
    agent = make_agent(ministries[0])
    application = application_submit(call=open_call, user=agent, motivation=MOTIVATION)
    close_window(open_call)
    application_decide(application=application, decision=S.SELECTED, acting_user=programme_admin)
    client.force_login(agent)
    assert "Sélectionnée" not in client.get(reverse("delegation:mine")).content.decode()
    call_set_status(call=open_call, status=Call.Status.CLOSED, acting_user=programme_admin)
    selection_publish(call=open_call, acting_user=programme_admin)
    assert "Sélectionnée" in client.get(reverse("delegation:mine")).content.decode()


def test_nobody_sees_or_withdraws_someone_else_s_application(client, open_call, make_agent, ministries):
    owner = make_agent(ministries[0])
    application = application_submit(call=open_call, user=owner, motivation=MOTIVATION + " Secret.")
    client.force_login(make_agent(ministries[1]))
    assert "Secret." not in client.get(reverse("delegation:mine")).content.decode()
    assert client.post(reverse("delegation:withdraw", args=[application.pk])).status_code == 404
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_the_back_office_is_for_programme_admins_only(client, open_call, make_agent, ministries, organiser):
    application = application_submit(call=open_call, user=make_agent(ministries[0]), motivation=MOTIVATION)
    close_window(open_call)
    for user in (organiser, application.user):
        client.force_login(user)
        assert client.get(reverse("delegation:backoffice")).status_code == 403
        assert client.get(reverse("delegation:selection", args=[open_call.pk])).status_code == 404
        response = client.post(reverse("delegation:decide", args=[application.pk]), {"decision": "selected"})
        assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_a_programme_admin_selects_from_the_page_and_sees_quota_refusals(
    client, open_call, make_agent, ministries, programme_admin
):
    first, second, third = (
        application_submit(call=open_call, user=make_agent(ministries[0]), motivation=MOTIVATION) for _ in range(3)
    )
    close_window(open_call)
    client.force_login(programme_admin)
    for application in (first, second):
        client.post(reverse("delegation:decide", args=[application.pk]), {"decision": "selected"})
    response = client.post(reverse("delegation:decide", args=[third.pk]), {"decision": "selected"}, follow=True)
    assert "Le quota de 2 personnes de ce ministère est atteint." in response.content.decode()
    third.refresh_from_db()
    assert third.status == S.SUBMITTED
    assert "quota atteint" in response.content.decode()


def test_the_balance_tables_flag_a_region_with_nobody_selected(
    client, open_call, make_agent, ministries, programme_admin
):
    chosen = application_submit(call=open_call, user=make_agent(ministries[0], "11"), motivation=MOTIVATION)
    application_submit(call=open_call, user=make_agent(ministries[1], "53"), motivation=MOTIVATION)
    close_window(open_call)
    client.force_login(programme_admin)
    client.post(reverse("delegation:decide", args=[chosen.pk]), {"decision": "selected"})
    page = client.get(reverse("delegation:selection", args=[open_call.pk])).content.decode()
    assert "Par ministère" in page and "Par région" in page
    # Bretagne has an applicant and nobody selected: flagged once, in the regions' table only
    # (the second ministry has nobody selected either, which is not a flag for ministries).
    assert page.count("aucune personne sélectionnée") == 1


def test_balance_indicators(open_call, make_agent, ministries, programme_admin):
    x = [
        application_submit(call=open_call, user=make_agent(ministries[0], "53"), motivation=MOTIVATION)
        for _ in range(3)
    ]
    y = application_submit(call=open_call, user=make_agent(ministries[1], "84"), motivation=MOTIVATION)
    application_submit(call=open_call, user=make_agent(ministries[2], "84"), motivation=MOTIVATION)
    gone = application_submit(call=open_call, user=make_agent(ministries[2], "11"), motivation=MOTIVATION)
    from essaim.delegation.services import application_withdraw

    application_withdraw(application=gone, acting_user=gone.user)
    close_window(open_call)
    for application, decision in [(x[0], S.SELECTED), (x[1], S.SELECTED), (x[2], S.RESERVE), (y, S.RESERVE)]:
        application_decide(application=application, decision=decision, acting_user=programme_admin)

    balance = selection_balance(call=open_call)
    assert (balance.applications, balance.selected, balance.reserve, balance.free_seats) == (5, 2, 2, 1)
    rows = {row.name: row for row in balance.ministries}
    mx = rows["Ministère x"]
    assert (mx.applications, mx.selected, mx.reserve) == (3, 2, 1)
    assert mx.share_of_applications == 60 and mx.share_of_seats == 67  # 3 of 5 applications; 2 of 3 seats
    assert mx.at_quota and not mx.over_quota
    assert rows["Ministère z"].applications == 1  # the withdrawn application does not count
    regions = {row.key: row for row in balance.regions}
    assert regions["53"].selected == 2 and not regions["53"].none_selected
    assert regions["84"].none_selected and regions["84"].reserve == 1
    assert "11" not in regions and "Île-de-France" in balance.regions_without_applicant


def test_selection_page_queries_do_not_grow_with_applications(
    client, open_call, make_agent, ministries, programme_admin, django_assert_max_num_queries
):
    close_window(open_call)
    Call.objects.filter(pk=open_call.pk).update(
        opens_at=timezone.now() - dt.timedelta(days=1), closes_at=timezone.now() + dt.timedelta(days=1)
    )
    for index in range(12):
        application_submit(
            call=open_call, user=make_agent(ministries[index % 3], ["11", "53", "84"][index % 3]), motivation=MOTIVATION
        )
    close_window(open_call)
    client.force_login(programme_admin)
    with django_assert_max_num_queries(12):  # 11 today, whatever the number of rows
        response = client.get(reverse("delegation:selection", args=[open_call.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('name="decision"') == 12 * 3


def test_public_page_shows_the_call_and_past_reports_but_no_applicant(
    client, open_call, make_agent, ministries, programme_admin
):
    agent = make_agent(ministries[0])
    application = application_submit(call=open_call, user=agent, motivation=MOTIVATION)
    close_window(open_call)
    application_decide(application=application, decision=S.SELECTED, acting_user=programme_admin)
    call_set_status(call=open_call, status=Call.Status.CLOSED, acting_user=programme_admin)
    selection_publish(call=open_call, acting_user=programme_admin)
    call_report_publish(
        call=open_call,
        data=ReportData(title="Compte rendu de la délégation", summary="Ce que nous avons appris."),
        acting_user=programme_admin,
    )
    open_call.refresh_from_db()
    report = open_call.report
    assert report.status == Resource.Status.PUBLISHED and report.type == Resource.Type.CASE_STUDY
    page = client.get(reverse("delegation:public")).content.decode()
    assert "Compte rendu de la délégation" in page and report.get_absolute_url() in page
    assert agent.full_name not in page and agent.email not in page
    assert client.get(report.get_absolute_url()).status_code == 200  # public in the library


def test_personal_data_export_erasure_and_retention(open_call, make_agent, ministries, settings):
    agent = make_agent(ministries[0])
    application_submit(call=open_call, user=agent, motivation=MOTIVATION)
    exported = personal_data_export(user=agent, acting_user=agent)["sections"]["delegation"]
    assert exported["applications"][0]["motivation"] == MOTIVATION

    other = make_agent(ministries[1])
    application_submit(call=open_call, user=other, motivation=MOTIVATION)
    personal_data_erase(user=agent, acting_user=agent)
    erased = Application.objects.get(user=agent)
    assert erased.motivation == "" and erased.ministry == ministries[0]  # still counted in the balance
    assert Application.objects.get(user=other).motivation == MOTIVATION

    settings.DELEGATION_MOTIVATION_RETENTION_MONTHS = 12
    later = timezone.now() + dt.timedelta(days=365 + 120)  # event + 12 months and more
    assert personal_data_retention(now=timezone.now())["delegation"]["motivations_erased"] == 0
    report = personal_data_retention(now=later)["delegation"]
    assert report == {"calls_purged": 1, "motivations_erased": 2}
    assert Application.objects.get(user=other).motivation == ""


def test_a_programme_admin_creates_opens_and_edits_a_call_from_the_back_office(client, programme_admin):
    client.force_login(programme_admin)
    now = timezone.localtime()
    form = {
        "year": now.year + 1,
        "title": "Rencontres Européennes de la Participation",
        "description": "Appel de l’an prochain.",
        "place": "Strasbourg",
        "event_starts_on": (now + dt.timedelta(days=90)).date().isoformat(),
        "event_ends_on": (now + dt.timedelta(days=91)).date().isoformat(),
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "seats": 6,
        "ministry_quota": 7,
    }
    refused = client.post(reverse("delegation:backoffice"), form)
    assert refused.status_code == 400
    assert "ne peut dépasser le nombre de places" in refused.content.decode()
    form["ministry_quota"] = 2
    response = client.post(reverse("delegation:backoffice"), form)
    call = Call.objects.get(year=now.year + 1)
    assert response.status_code == 302 and call.status == Call.Status.DRAFT
    assert "Publier le compte rendu" not in client.get(reverse("delegation:call", args=[call.pk])).content.decode()
    client.post(reverse("delegation:call-status", args=[call.pk]), {"status": "open"})
    call.refresh_from_db()
    assert call.status == Call.Status.OPEN

    # The edit form shows local times: saving it unchanged keeps the window where it was.
    page = client.get(reverse("delegation:call", args=[call.pk]))
    initial = page.context["form"].initial
    before = (call.opens_at, call.closes_at)
    data = {**initial, "seats": 8, "region_quota": ""}
    assert client.post(reverse("delegation:call", args=[call.pk]), data).status_code == 302
    call.refresh_from_db()
    assert call.seats == 8 and (call.opens_at, call.closes_at) == before
    assert client.get(reverse("delegation:backoffice")).status_code == 200
