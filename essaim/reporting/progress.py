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
from django.utils.translation import gettext_lazy, ngettext

from essaim.reporting.models import QuarterRollup
from essaim.reporting.selectors import (
    TARGET_SESSIONS_PER_QUARTER,
    TARGET_TRAINED_PER_YEAR,
    cube_key,
    published_cube,
)


@dataclass
class Milestone:
    title: str
    status: str  # "done", "in_progress", "not_started", "not_measured"
    status_label: str
    measure: str
    evidence: list[tuple[str, str]] = field(default_factory=list)


STATUS_LABELS = {
    "done": gettext_lazy("Atteint"),
    "in_progress": gettext_lazy("En cours"),
    "not_started": gettext_lazy("Non commencé"),
    "not_measured": gettext_lazy("Non mesuré par Essaim"),
}


def _status(status: str) -> str:
    return str(STATUS_LABELS[status])


def progress_report(*, year: int) -> dict[str, Any]:
    """Three queries: the year's totals, its quarters and its publication cube (people
    counts are the cube's protected year totals, as on the public dashboard)."""
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
    elapsed = 4 if year < today.year else (0 if year > today.year else (today.month - 1) // 3 + 1)
    covered = sum(1 for q in range(1, elapsed + 1) if (quarters.get(q) or 0) >= TARGET_SESSIONS_PER_QUARTER)
    dashboard = reverse("reporting:public") + f"?year={year}"
    trained = totals["trained"] or 0
    milestones = []

    status = "not_started" if not covered else ("done" if elapsed == 4 and covered == 4 else "in_progress")
    milestones.append(
        Milestone(
            _("Sessions régulières de formation à la facilitation (une par trimestre)"),
            status,
            _status(status),
            ngettext(
                "%(covered)s trimestre sur %(elapsed)s avec au moins une session tenue",
                "%(covered)s trimestres sur %(elapsed)s avec au moins une session tenue",
                covered,
            )
            % {"covered": covered, "elapsed": elapsed},
            [
                (_("Tableau de bord"), dashboard),
                (_("Sessions tenues (données ouvertes)"), reverse("reporting:dataset_csv", args=["sessions-tenues"])),
            ],
        )
    )
    trainers = totals["trainers"] or 0
    status = "in_progress" if trainers else "not_started"
    shown = cube.value(year=year, measure="trainers_trained", key=cube_key())
    milestones.append(
        Milestone(
            _("Formation de formateurs"),
            status,
            _status(status),
            _("Formateurs formés : %(n)s") % {"n": _("secret statistique") if shown is None else shown},
            [(_("Tableau de bord"), dashboard)],
        )
    )
    civil = totals["civil"] or 0
    status = "in_progress" if civil else "not_started"
    milestones.append(
        Milestone(
            _("Sessions d’introduction avec la société civile"),
            status,
            _status(status),
            _("Sessions tenues avec des partenaires de la société civile : %(n)s") % {"n": civil},
            [(_("Tableau de bord"), dashboard)],
        )
    )
    status = "done" if trained >= TARGET_TRAINED_PER_YEAR else ("in_progress" if trained else "not_started")
    shown = cube.value(year=year, measure="people_trained", key=cube_key())
    milestones.append(
        Milestone(
            _("500 agents formés par an"),
            status,
            _status(status),
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
        )
    )
    milestones.append(
        Milestone(
            _("Base documentaire partagée"),
            "not_measured",
            _status("not_measured"),
            _("Suivie hors de ce rapport tant que la bibliothèque de ressources n’est pas en service."),
            [],
        )
    )
    return {
        "year": year,
        "period_start": dt.date(year, 1, 1),
        "period_end": min(dt.date(year, 12, 31), today) if year <= today.year else dt.date(year, 12, 31),
        "milestones": milestones,
        "generated_at": timezone.now(),
    }


def progress_pdf(report: dict[str, Any]) -> bytes:
    """The same report as a PDF (reportlab), for the independent reporting mechanism."""
    import io

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    title = _("Rapport d’avancement de l’engagement OGP FR0111 — %(year)s") % {"year": report["year"]}
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, author="Essaim", lang="fr")
    data = [[_("Jalon"), _("Statut"), _("Mesure")]]
    for milestone in report["milestones"]:
        data.append(
            [
                Paragraph(milestone.title, styles["BodyText"]),
                Paragraph(milestone.status_label, styles["BodyText"]),
                Paragraph(milestone.measure, styles["BodyText"]),
            ]
        )
    table = Table(data, colWidths=[180, 90, 230], repeatRows=1)
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
    document.build([Paragraph(title, styles["Title"]), Paragraph(period, styles["Normal"]), Spacer(1, 12), table])
    return buffer.getvalue()
