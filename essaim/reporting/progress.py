"""The OGP progress report of commitment FR0111: its milestones, with a status computed
from the rollups where the data allows it, and the evidence behind each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from essaim.library.models import Resource
from essaim.reporting.models import QuarterRollup
from essaim.reporting.selectors import (
    TARGET_SESSIONS_PER_QUARTER,
    TARGET_TRAINED_PER_YEAR,
    cube_key,
    published_cube,
)
from essaim.reporting.targets import (
    STATUS_BADGES,
    data_as_of,
    quarters_ended,
    sessions_progress,
    status_label,
    trained_progress,
    year_elapsed,
)


@dataclass
class Milestone:
    title: str
    status: str  # a key of targets.status_label
    status_label: str
    measure: str
    evidence: list[tuple[str, str]] = field(default_factory=list)
    projection: str = ""
    slug: str = ""

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]


def _count_status(*, count: int, year: int, today: dt.date) -> str:
    """A milestone without a numeric target: under way once something was done; with
    nothing, late once a quarter has ended and not reached when the year has."""
    elapsed = year_elapsed(year=year, today=today)
    if elapsed == 0:
        return "future"
    if count:
        return "in_progress"
    if elapsed >= 1:
        return "not_reached"
    return "late" if quarters_ended(year=year, today=today) else "not_started"


def progress_report(*, year: int) -> dict[str, Any]:
    """The year's totals, its quarters, its publication cube (people counts are the cube's
    protected year totals, as on the public dashboard), the live library and the rollups'
    date."""
    rows = QuarterRollup.objects.filter(year=year)
    totals = rows.aggregate(
        held=Sum("sessions_held"),
        trained=Sum("people_trained"),
        trainers=Sum("trainers_trained"),
        civil=Sum("civil_society_sessions"),
    )
    cube = published_cube(years=[year])
    quarters = dict(rows.values_list("quarter").annotate(n=Sum("sessions_held")).order_by())
    today = timezone.localdate()
    dashboard = reverse("reporting:public") + f"?year={year}"
    # A projection only while the year runs: before, nothing to project; after, it is final.
    running = 0 < year_elapsed(year=year, today=today) < 1
    milestones = []

    sessions = sessions_progress(held_by_quarter=quarters, year=year, today=today)
    ended = quarters_ended(year=year, today=today)
    missed = [q for q in range(1, ended + 1) if (quarters.get(q) or 0) < TARGET_SESSIONS_PER_QUARTER]
    measure = ngettext(
        "%(covered)s trimestre sur 4 avec au moins une session tenue",
        "%(covered)s trimestres sur 4 avec au moins une session tenue",
        sessions.value or 0,
    ) % {"covered": sessions.value}
    if missed:
        measure += " ; " + _("sans session : %(quarters)s") % {
            "quarters": ", ".join(_("T%(q)s") % {"q": q} for q in missed)
        }
    milestones.append(
        Milestone(
            _("Sessions régulières de formation à la facilitation (une par trimestre)"),
            sessions.status,
            status_label(sessions.status),
            measure,
            [
                (_("Tableau de bord"), dashboard),
                (_("Sessions tenues (données ouvertes)"), reverse("reporting:dataset_csv", args=["sessions-tenues"])),
            ],
            projection=ngettext(
                "au mieux %(n)s trimestre sur 4 en fin d’année",
                "au mieux %(n)s trimestres sur 4 en fin d’année",
                sessions.projection,
            )
            % {"n": sessions.projection}
            if running and sessions.projection is not None
            else "",
            slug="sessions",
        )
    )
    trainers = totals["trainers"] or 0
    status = _count_status(count=trainers, year=year, today=today)
    shown = cube.value(year=year, measure="trainers_trained", key=cube_key())
    milestones.append(
        Milestone(
            _("Formation de formateurs"),
            status,
            status_label(status),
            _("Formateurs formés : %(n)s") % {"n": _("secret statistique") if shown is None else shown},
            [(_("Tableau de bord"), dashboard)],
            slug="trainers",
        )
    )
    civil = totals["civil"] or 0
    status = _count_status(count=civil, year=year, today=today)
    milestones.append(
        Milestone(
            _("Sessions d’introduction avec la société civile"),
            status,
            status_label(status),
            _("Sessions tenues avec des partenaires de la société civile : %(n)s") % {"n": civil},
            [(_("Tableau de bord"), dashboard)],
            slug="civil-society",
        )
    )
    shown = cube.value(year=year, measure="people_trained", key=cube_key())
    trained = trained_progress(trained=shown, year=year, today=today)
    milestones.append(
        Milestone(
            _("500 agents formés par an"),
            trained.status,
            status_label(trained.status),
            _("Agents formés en %(year)s : %(n)s sur %(target)s")
            % {
                "year": year,
                "n": _("secret statistique") if shown is None else shown,
                "target": TARGET_TRAINED_PER_YEAR,
            },
            [
                (_("Tableau de bord"), dashboard),
                (
                    _("Formations validées (données ouvertes)"),
                    reverse("reporting:dataset_csv", args=["formations-validees"]),
                ),
            ],
            projection=_("%(n)s au rythme actuel en fin d’année") % {"n": trained.projection}
            if running and trained.projection is not None
            else "",
            slug="trained",
        )
    )
    # The library is live: what anyone can open in it today, not a figure of the year.
    resources = Resource.objects.published().count()
    status = "in_progress" if resources else "not_started"
    milestones.append(
        Milestone(
            _("Base documentaire partagée"),
            status,
            status_label(status),
            _("Ressources publiées dans la bibliothèque : %(n)s") % {"n": resources},
            [(_("Bibliothèque de ressources"), reverse("library:list"))],
            slug="library",
        )
    )
    return {
        "year": year,
        "period_start": dt.date(year, 1, 1),
        "period_end": min(dt.date(year, 12, 31), today) if year <= today.year else dt.date(year, 12, 31),
        "milestones": milestones,
        "generated_at": timezone.now(),
        "data_as_of": data_as_of(),
    }


def progress_pdf(report: dict[str, Any]) -> bytes:
    """The same report as a PDF (reportlab), for the independent reporting mechanism: the
    République française block of the attestations at the top of each page, the date it
    was generated and the date the figures are true at."""
    import io

    from django.utils import formats
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from essaim.credentials.pdf import draw_brand

    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    title = _("Rapport d’avancement de l’engagement OGP FR0111 — %(year)s") % {"year": report["year"]}
    generated = timezone.localtime(report["generated_at"])
    generated_label = _("Généré le %(date)s") % {"date": formats.date_format(generated, "j F Y à H\\hi")}

    def page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        draw_brand(canvas, A4[1] - 20 * mm)
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#3A3A3A"))
        canvas.drawRightString(A4[0] - 20 * mm, A4[1] - 20 * mm - 16, generated_label)
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, _("Page %(n)s") % {"n": doc.page})
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="Essaim",
        subject=generated_label,
        lang="fr",
        topMargin=45 * mm,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
    )
    data = [[_("Jalon"), _("Statut"), _("Mesure")]]
    for milestone in report["milestones"]:
        measure = milestone.measure + (f" — {milestone.projection}" if milestone.projection else "")
        data.append(
            [
                Paragraph(milestone.title, styles["BodyText"]),
                Paragraph(milestone.status_label, styles["BodyText"]),
                Paragraph(measure, styles["BodyText"]),
            ]
        )
    table = Table(data, colWidths=[170, 80, 240], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#000091")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    period = _("Période du %(start)s au %(end)s") % {
        "start": report["period_start"].strftime("%d/%m/%Y"),
        "end": report["period_end"].strftime("%d/%m/%Y"),
    }
    story = [Paragraph(title, styles["Title"]), Paragraph(period, styles["Normal"])]
    if report.get("data_as_of"):
        as_of = timezone.localtime(report["data_as_of"])
        story.append(
            Paragraph(
                _("Données au %(date)s") % {"date": formats.date_format(as_of, "j F Y à H\\hi")}, styles["Normal"]
            )
        )
    story += [Spacer(1, 12), table]
    document.build(story, onFirstPage=page, onLaterPages=page)
    return buffer.getvalue()
