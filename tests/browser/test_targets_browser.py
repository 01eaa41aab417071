"""Issue 17, points 12 and 13 in Chromium (1280 px and 375 px, axe-core): the public
dashboard draws a progress bar for each target with its text next to it and the date of
the data; the OGP report shows the statuses the figures call for."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from essaim.reporting.rollups import rollups_refresh
from tests import steering_data as data
from tests.browser.test_browser import _assert_accessible, login_with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/essaim-h17-figures"


def _both(page, name: str) -> None:
    page.screenshot(path=f"{SHOTS}-{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})
    page.screenshot(path=f"{SHOTS}-{name}-375.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def year(ministry, other_ministry):
    """This year: 7 people trained in Q1, 6 in Q2. Last year: 8 people in Q2 only."""
    year = timezone.localdate().year
    intro = data.course("facilitation-fondamentaux", is_introduction=True)
    data.held_session(course=intro, organiser=ministry, people=7, when=data.moment(year, 2), region=data.region("11"))
    data.held_session(
        course=intro, organiser=other_ministry, people=6, when=data.moment(year, 5), region=data.region("53")
    )
    data.held_session(
        course=intro, organiser=ministry, people=8, when=data.moment(year - 1, 5), region=data.region("11")
    )
    rollups_refresh()
    return year


def test_dashboard_shows_a_progress_bar_per_target_with_its_text(page, console, year, programme_admin):
    page.set_viewport_size({"width": 1280, "height": 900})
    _assert_accessible(page, console, f"/tableau-de-bord/?year={year}")
    trained = page.get_by_role("progressbar", name=re.compile("Agents formés : objectif 500 par an"))
    expect(trained).to_have_attribute("value", "3")  # 13 of 500
    expect(page.locator("#objectif-trained")).to_contain_text("13 agents formés sur 500, soit 3 % de l’objectif.")
    expect(page.locator("#objectif-trained")).to_contain_text("Projection au rythme actuel")
    sessions = page.get_by_role("progressbar", name=re.compile("Une session tenue chaque trimestre"))
    expect(sessions).to_have_attribute("value", "50")  # Q1 and Q2 of four
    data_date = re.compile(r"Données au \d{1,2}\s\S+\s\d{4} à \d{1,2}\sh(\s\d{2})?\.")
    expect(page.locator("#donnees-au")).to_have_text(data_date)
    # The selector says « Région » and so does the table it orders.
    expect(page.get_by_label("Répartition par")).to_have_value("region")
    expect(page.locator("#repartition thead th").first).to_have_text("Région")
    _both(page, "dashboard-public")

    page.get_by_label("Répartition par").select_option(label="Ministère")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(re.compile(r"par=ministry"))
    expect(page.locator("#repartition thead th").first).to_have_text("Ministère")
    expect(page.get_by_label("Répartition par")).to_have_value("ministry")

    login_with_password(page, programme_admin.email)
    _assert_accessible(page, console, f"/pilotage/tableau-de-bord/?year={year}")
    expect(page.get_by_role("progressbar")).to_have_count(2)
    _both(page, "dashboard-internal-admin")


def test_progress_report_shows_the_statuses_the_figures_call_for(page, console, year):
    page.set_viewport_size({"width": 1280, "height": 900})
    _assert_accessible(page, console, f"/tableau-de-bord/rapport-ogp/?year={year - 1}")
    table = page.locator("#jalons")
    regular = table.get_by_role("row", name=re.compile("Sessions régulières"))
    expect(regular).to_contain_text("Non atteint")
    expect(regular).to_contain_text("sans session : T1, T3, T4")
    expect(table.get_by_role("row", name=re.compile("500 agents formés par an"))).to_contain_text("Non atteint")
    expect(table.get_by_role("row", name=re.compile("Base documentaire partagée"))).to_contain_text(
        "Ressources publiées dans la bibliothèque : 0"
    )
    expect(table).not_to_contain_text("Projection")  # last year's figures are final
    _both(page, "ogp-report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger en PDF").click()
    assert download.value.suggested_filename == f"essaim-rapport-ogp-{year - 1}.pdf"
    _assert_accessible(page, console, f"/tableau-de-bord/rapport-ogp/?year={year}")
    _both(page, "ogp-report-current")
