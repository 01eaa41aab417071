"""The public dashboard in Chromium: switch a filter, read a chart's data table; axe-clean."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from essaim.reporting.opendata import opendata_publish
from essaim.reporting.rollups import rollups_refresh
from tests import steering_data as data
from tests.browser.test_browser import _assert_accessible, login_with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def figures(ministry, other_ministry):
    year = timezone.localdate().year
    intro = data.course("facilitation-fondamentaux", is_introduction=True)
    data.held_session(course=intro, organiser=ministry, people=7, when=data.moment(year, 2), region=data.region("11"))
    data.held_session(
        course=intro, organiser=other_ministry, people=6, when=data.moment(year, 5), region=data.region("53")
    )
    data.held_session(
        course=intro, organiser=other_ministry, people=2, when=data.moment(year, 5), region=data.region("84")
    )
    rollups_refresh()
    opendata_publish()
    return year


def test_public_dashboard_filter_and_chart_table(page, console, figures):
    _assert_accessible(page, console, f"/tableau-de-bord/?year={figures}")
    table = page.get_by_role("table", name=re.compile("Données du graphique : Agents formés par trimestre"))
    expect(table.get_by_role("row", name=re.compile(f"T1 {figures}"))).to_contain_text("7")
    expect(table.get_by_role("row", name=re.compile(f"T2 {figures}"))).to_contain_text("8")

    page.get_by_label("Région").select_option(label="Bretagne")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(re.compile(r"region=53"))
    table = page.get_by_role("table", name=re.compile("Données du graphique : Agents formés par trimestre"))
    expect(table.get_by_role("row", name=re.compile(f"T1 {figures}"))).to_contain_text("0")
    expect(table.get_by_role("row", name=re.compile(f"T2 {figures}"))).to_contain_text("6")
    console.assert_no_csp_violation()

    page.get_by_label("Région").select_option(label="Auvergne-Rhône-Alpes")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(re.compile(r"region=84"))
    table = page.get_by_role("table", name=re.compile("Données du graphique : Agents formés par trimestre"))
    expect(table.get_by_role("row", name=re.compile(f"T2 {figures}"))).to_contain_text("secret statistique")


def test_open_data_progress_report_and_internal_dashboard_are_accessible(page, console, figures, programme_admin):
    _assert_accessible(page, console, "/donnees/")
    _assert_accessible(page, console, f"/tableau-de-bord/rapport-ogp/?year={figures}")
    login_with_password(page, programme_admin.email)
    _assert_accessible(page, console, f"/pilotage/tableau-de-bord/?year={figures}")
    _assert_accessible(page, console, "/enquetes/resultats/")


def test_a_participant_answers_the_survey(page, console, ministry):
    import datetime as dt

    from essaim.surveys.models import Invitation, Question, Response, Survey
    from essaim.surveys.services import invitations_send_due

    intro = data.course("facilitation-fondamentaux", is_introduction=True)
    survey = Survey.objects.create(title="Votre avis sur la session", kind=Survey.Kind.AFTER_SESSION)
    survey.courses.add(intro)
    Question.objects.create(
        survey=survey, position=1, kind="scale", label="Êtes-vous satisfait ?", measure="satisfaction"
    )
    Question.objects.create(
        survey=survey,
        position=2,
        kind="multiple",
        label="Le plus utile ?",
        choices=["Les outils", "Le groupe"],
        required=False,
    )
    Question.objects.create(survey=survey, position=3, kind="text", label="Un commentaire ?", required=False)
    session = data.held_session(
        course=intro, organiser=ministry, people=1, when=data.moment(timezone.localdate().year, 1)
    )
    invitations_send_due(now=session.ends_at + dt.timedelta(hours=1))
    invitation = Invitation.objects.select_related("user").get()

    login_with_password(page, invitation.user.email, "mot-de-passe-de-test-2026")
    _assert_accessible(page, console, f"/enquetes/{invitation.token}/")
    # DSFR draws radios and checkboxes on their label, which is what a person clicks.
    satisfaction = page.locator("fieldset", has_text="Êtes-vous satisfait")
    satisfaction.locator("label", has_text=re.compile(r"^\s*4\s*$")).click()
    expect(satisfaction.get_by_label("4", exact=True)).to_be_checked()
    page.locator("label", has_text="Les outils").click()
    expect(page.get_by_label("Les outils")).to_be_checked()
    page.get_by_label("Un commentaire ?").fill("Très concret.")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci pour vos réponses")
    assert Response.objects.count() == 1
