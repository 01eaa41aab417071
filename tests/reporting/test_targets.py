"""Progress against the targets (issue 17, points 12 and 13): what the dashboard's bars
and the OGP report's statuses say, on fixed dates so that they never depend on today."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from essaim.library.models import Resource
from essaim.reporting.targets import quarters_ended, sessions_progress, trained_progress, year_elapsed

D = dt.date


@pytest.mark.parametrize(
    ("trained", "today", "status", "projection"),
    [
        # Half of the year gone (183 days of 365) and 260 trained: 519 at this pace.
        (260, D(2026, 7, 2), "in_progress", 519),
        # Same date, 200 trained: 399 at this pace, below 500.
        (200, D(2026, 7, 2), "late", 399),
        (500, D(2026, 3, 1), "done", 3042),
        # The year is over: what was reached is final.
        (480, D(2027, 1, 5), "not_reached", 480),
        (0, D(2026, 1, 15), "not_started", 0),
        (0, D(2026, 5, 15), "late", 0),
    ],
)
def test_trained_target_status_follows_the_pace(trained, today, status, projection):
    progress = trained_progress(trained=trained, year=2026, today=today)
    assert progress.status == status
    assert progress.projection == projection
    assert progress.percent == round(100 * trained / 500)
    assert 0 <= progress.bar <= 100


def test_a_suppressed_count_gives_no_percentage_and_no_projection():
    progress = trained_progress(trained=None, year=2026, today=D(2026, 7, 2))
    assert progress.percent is None and progress.projection is None and progress.bar == 0
    assert progress.status == "late"  # fewer than 5 people by July: nowhere near 500


def test_the_bar_is_capped_but_the_percentage_is_not():
    progress = trained_progress(trained=750, year=2025, today=D(2026, 7, 2))
    assert (progress.percent, progress.bar, progress.status) == (150, 100, "done")


def test_a_future_year_is_neither_late_nor_projected():
    progress = trained_progress(trained=0, year=2027, today=D(2026, 7, 2))
    assert (progress.status, progress.projection) == ("future", None)


@pytest.mark.parametrize(
    ("held", "today", "status", "covered", "projection"),
    [
        ({1: 2, 2: 1}, D(2026, 5, 10), "in_progress", 2, 4),  # Q2 running, nothing missed
        ({1: 2}, D(2026, 7, 10), "late", 1, 3),  # Q2 ended without a session
        ({2: 1, 3: 1}, D(2026, 12, 2), "late", 2, 3),  # Q1 missed, Q4 still open
        ({1: 1, 2: 1, 3: 1, 4: 1}, D(2026, 12, 2), "done", 4, 4),
        ({1: 1, 2: 1, 4: 3}, D(2027, 2, 1), "not_reached", 3, 3),
        ({}, D(2026, 2, 1), "not_started", 0, 4),
    ],
)
def test_sessions_target_is_late_as_soon_as_an_ended_quarter_had_none(held, today, status, covered, projection):
    progress = sessions_progress(held_by_quarter=held, year=2026, today=today)
    assert (progress.status, progress.value, progress.projection) == (status, covered, projection)


def test_elapsed_share_and_ended_quarters():
    assert year_elapsed(year=2026, today=D(2026, 12, 31)) == 1
    assert year_elapsed(year=2024, today=D(2024, 1, 1)) == pytest.approx(1 / 366)
    assert [quarters_ended(year=2026, today=D(2026, m, 1)) for m in (1, 3, 4, 7, 10, 12)] == [0, 0, 1, 2, 3, 3]


# ---- the pages -------------------------------------------------------------------------


def _progress_bars(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<progress class="essaim-progress" max="100" value="(\d+)"[^>]*>(\d+)\u00a0%</progress>', html)


def test_dashboards_show_both_targets_with_a_bar_a_text_and_the_data_date(client, figures, year, programme_admin):
    # The public year total is under statistical secrecy here: ministry B's 3 people in
    # Bretagne can only be protected through it (complementary suppression, ADR 0035).
    response = client.get(reverse("reporting:public"), {"year": year})
    trained, _sessions = response.context["targets"]
    assert trained.value is None and trained.percent is None and trained.projection is None
    assert "26 agents formés" not in response.content.decode()
    # The programme admin's dashboard counts everyone.
    client.force_login(programme_admin)
    response = client.get(reverse("reporting:internal"), {"year": year})
    html = response.content.decode()
    trained, sessions = response.context["targets"]
    assert trained.value == 26 and trained.percent == 5  # 12 + 6 + 3 + 5 of 500
    assert _progress_bars(html) == [("5", "5"), (str(sessions.bar), str(sessions.bar))]
    assert "26 agents formés sur 500, soit 5\u00a0% de l’objectif." in html
    assert f"Projection au rythme actuel\u00a0: {trained.projection} agents formés en fin d’année." in html
    assert trained.status_label in html
    assert re.search(r'id="donnees-au">\s*Données au \d{1,2}\s\w+\s\d{4} à \d{1,2}\sh(\s\d{2})?\.', html)


def test_targets_are_not_shown_for_a_filtered_view(client, figures, year, ministry):
    html = client.get(reverse("reporting:public"), {"year": year, "ministry": ministry.pk}).content.decode()
    assert "<progress" not in html
    assert "retirez les filtres pour voir la progression" in html


def test_breakdown_selector_shows_what_the_table_shows(client, figures, year):
    response = client.get(reverse("reporting:public"), {"year": year})
    html = response.content.decode()
    assert response.context["board"].breakdown_dimension == "region"
    assert re.search(r'<option value="region" selected>Région</option>', html)
    assert re.search(r'<th scope="col">Région</th>', html)
    assert [row["label"] for row in response.context["board"].breakdown] == ["Bretagne", "Île-de-France"]
    html = client.get(reverse("reporting:public"), {"year": year, "par": "course"}).content.decode()
    assert re.search(r'<option value="course" selected>Formation</option>', html)
    assert re.search(r'<th scope="col">Formation</th>', html)


def test_progress_report_of_a_past_year_says_not_reached(client, figures, year):
    """Last year: one session in Q2 only and 8 people trained."""
    response = client.get(reverse("reporting:progress"), {"year": year - 1})
    milestones = {m.slug: m for m in response.context["report"]["milestones"]}
    assert milestones["sessions"].status == "not_reached"
    assert "1 trimestre sur 4" in milestones["sessions"].measure
    assert "T1, T3, T4" in milestones["sessions"].measure
    assert milestones["trained"].status == "not_reached"
    assert milestones["trainers"].status == "not_reached"
    assert milestones["sessions"].projection == milestones["trained"].projection == ""  # the year is over
    html = response.content.decode()
    assert html.count('data-status="not_reached"') == 4
    assert "Non atteint" in html


def test_progress_report_library_line_reads_the_live_library(client, db, year):
    url = reverse("reporting:progress")
    line = {m.slug: m for m in client.get(url, {"year": year}).context["report"]["milestones"]}["library"]
    assert (line.status, line.measure) == ("not_started", "Ressources publiées dans la bibliothèque\u00a0: 0")
    Resource.objects.create(slug="world-cafe", title="Le world café", summary="…", status=Resource.Status.PUBLISHED)
    Resource.objects.create(slug="brouillon", title="Brouillon", summary="…", status=Resource.Status.DRAFT)
    line = {m.slug: m for m in client.get(url, {"year": year}).context["report"]["milestones"]}["library"]
    assert (line.status, line.measure) == ("in_progress", "Ressources publiées dans la bibliothèque\u00a0: 1")
    assert line.status_label == "En cours"


def test_progress_pdf_is_dated_and_carries_the_republique_francaise_block(client, figures, year):
    import io

    from pypdf import PdfReader

    response = client.get(reverse("reporting:progress_pdf"), {"year": year - 1})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert "RÉPUBLIQUE" in text and "FRANÇAISE" in text and "Fraternité" in text
    assert re.search(r"Généré le \d{1,2} \w+ \d{4} à \d{2}h\d{2}", text)
    assert re.search(r"Données au \d{1,2} \w+ \d{4}", text)
    assert text.count("Non atteint") == 4
    assert reader.metadata.title == f"Rapport d’avancement de l’engagement OGP FR0111 — {year - 1}"


@pytest.mark.parametrize(
    ("count", "today", "status"),
    [
        (0, D(2026, 2, 1), "not_started"),
        (0, D(2026, 4, 2), "late"),
        (2, D(2026, 4, 2), "in_progress"),
        (0, D(2027, 1, 2), "not_reached"),
        (0, D(2025, 6, 1), "future"),
    ],
)
def test_a_milestone_without_a_figure_target_is_late_after_an_empty_quarter(count, today, status):
    from essaim.reporting.progress import _count_status

    assert _count_status(count=count, year=2026, today=today) == status
