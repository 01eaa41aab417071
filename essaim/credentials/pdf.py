"""PDF documents: the attestation (one page, DSFR look, QR code to its verification page)
and the learner record.

Fonts: Marianne ships with django-dsfr only as WOFF/WOFF2 with CFF outlines, which
reportlab cannot embed; Helvetica (a PDF standard font, no embedding, WinAnsi covers
French) keeps the sober DSFR look and small, fast files. See docs/adr/0010-credentials.md.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

BLUE = HexColor("#000091")  # DSFR bleu France
RED = HexColor("#E1000F")  # DSFR rouge Marianne
GREY = HexColor("#3A3A3A")
WIDTH, HEIGHT = A4
MARGIN = 20 * mm


def draw_brand(canvas: Canvas, top: float) -> None:
    """The République française block: the DSFR header, drawn as text (no image file).
    Shared by every PDF of the platform (attestations, learner record, OGP report)."""
    canvas.setFillColor(BLUE)
    canvas.rect(MARGIN, top - 2, 12 * mm, 1.2 * mm, stroke=0, fill=1)
    canvas.setFillColor(RED)
    canvas.rect(MARGIN + 12 * mm, top - 2, 6 * mm, 1.2 * mm, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#000000"))
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(MARGIN, top - 16, "RÉPUBLIQUE")
    canvas.drawString(MARGIN, top - 29, "FRANÇAISE")
    canvas.setFont("Helvetica-Oblique", 7)
    canvas.drawString(MARGIN, top - 40, "Liberté")
    canvas.drawString(MARGIN, top - 48, "Égalité")
    canvas.drawString(MARGIN, top - 56, "Fraternité")


def _paragraph(canvas: Canvas, text: str, x: float, y: float, *, font: str, size: float, width: float) -> float:
    canvas.setFont(font, size)
    for line in simpleSplit(text, font, size, width):
        canvas.drawString(x, y, line)
        y -= size * 1.35
    return y


def _qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as vector rectangles (one per horizontal run of dark modules): sharp at
    any zoom, no image library."""
    qr = segno.make(url, error="m", micro=False)
    matrix = [list(row) for row in qr.matrix_iter(scale=1, border=2)]
    cell = size / len(matrix)
    canvas.setFillColor(HexColor("#000000"))
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * cell
        col = 0
        while col < len(row):
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                path.rect(x + start * cell, top, (col - start) * cell, cell)
            else:
                col += 1
    canvas.drawPath(path, stroke=0, fill=1)


def attestation_pdf(snapshot: dict[str, Any], *, code: str, verify_url: str, issuer: str) -> bytes:
    """The attestation of one completion. In French: it is an administrative document."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Attestation de formation — {snapshot['course_title']}")
    canvas.setAuthor(issuer)
    canvas.setSubject(f"Code de vérification {code}")
    top = HEIGHT - MARGIN
    draw_brand(canvas, top)
    canvas.setFont("Helvetica-Bold", 10)
    canvas.setFillColor(GREY)
    canvas.drawRightString(WIDTH - MARGIN, top - 16, issuer)
    canvas.setFillColor(BLUE)
    canvas.setFont("Helvetica-Bold", 24)
    title = "Certification de formateur" if snapshot["kind"] == "trainer" else "Attestation de formation"
    canvas.drawString(MARGIN, top - 100, title)
    canvas.setFillColor(HexColor("#161616"))
    width = WIDTH - 2 * MARGIN
    y = _paragraph(
        canvas,
        f"{issuer} atteste que",
        MARGIN,
        top - 140,
        font="Helvetica",
        size=12,
        width=width,
    )
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(MARGIN, y - 8, snapshot["name"])
    y = _paragraph(canvas, "a suivi la formation", MARGIN, y - 36, font="Helvetica", size=12, width=width)
    y = _paragraph(canvas, snapshot["course_title"], MARGIN, y - 6, font="Helvetica-Bold", size=15, width=width)
    dates = (
        f"le {snapshot['start_label']}"
        if snapshot["start_date"] == snapshot["end_date"]
        else f"du {snapshot['start_label']} au {snapshot['end_label']}"
    )
    facts = [
        f"Dates : {dates}",
        f"Durée : {snapshot['hours']} heures",
        f"Session organisée par : {snapshot['organiser']}",
        f"Référentiel : {snapshot['framework']}",
    ]
    y -= 10
    for fact in facts:
        y = _paragraph(canvas, fact, MARGIN, y, font="Helvetica", size=11, width=width)
    if snapshot["outcomes"]:
        y -= 10
        y = _paragraph(canvas, "Compétences et niveaux", MARGIN, y, font="Helvetica-Bold", size=12, width=width)
        for outcome in snapshot["outcomes"]:
            y = _paragraph(
                canvas,
                f"• {outcome['competency_name']} : {outcome['level_name']}",
                MARGIN + 4 * mm,
                y,
                font="Helvetica",
                size=11,
                width=width - 4 * mm,
            )
    # Verification block at the bottom.
    box = 38 * mm
    bottom = MARGIN + 6 * mm
    _qr(canvas, verify_url, WIDTH - MARGIN - box, bottom, box)
    canvas.setFillColor(HexColor("#161616"))
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(MARGIN, bottom + box - 12, f"Code de vérification : {code}")
    _paragraph(
        canvas,
        f"Délivrée le {snapshot['issued_label']}. Vérifiez l’authenticité de cette attestation en "
        f"saisissant son code sur {verify_url.rsplit('/', 2)[0]}/ ou en lisant le QR code.",
        MARGIN,
        bottom + box - 30,
        font="Helvetica",
        size=9,
        width=width - box - 10 * mm,
    )
    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(GREY)
    canvas.drawString(MARGIN, bottom - 10, verify_url)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def learner_record_pdf(record: dict[str, Any], *, labels: dict[str, str]) -> bytes:
    """The learner record, in the reader's language (`labels` are translated by the caller)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(labels["title"])
    width = WIDTH - 2 * MARGIN
    top = HEIGHT - MARGIN
    draw_brand(canvas, top)
    canvas.setFillColor(BLUE)
    canvas.setFont("Helvetica-Bold", 20)
    canvas.drawString(MARGIN, top - 95, labels["title"])
    canvas.setFillColor(HexColor("#161616"))
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawString(MARGIN, top - 118, record["person"]["name"])
    y = top - 145

    def heading(text: str) -> None:
        nonlocal y
        if y < MARGIN + 60:
            canvas.showPage()
            y = HEIGHT - MARGIN
        y -= 6
        y = _paragraph(canvas, text, MARGIN, y, font="Helvetica-Bold", size=13, width=width)

    def line(text: str) -> None:
        nonlocal y
        if y < MARGIN + 20:
            canvas.showPage()
            y = HEIGHT - MARGIN
        y = _paragraph(canvas, text, MARGIN + 4 * mm, y, font="Helvetica", size=10.5, width=width - 4 * mm)

    heading(labels["competencies"])
    for item in record["competencies"] or [{"name": labels["none"], "level_name": ""}]:
        line(f"• {item['name']}" + (f" : {item['level_name']}" if item["level_name"] else ""))
    heading(labels["completions"])
    for item in record["completions"] or [{"course": labels["none"], "completed_on": ""}]:
        line(f"• {item['course']}" + (f" — {item['completed_on']}" if item["completed_on"] else ""))
    heading(labels["practice"])
    line(labels["practice_summary"])
    heading(labels["credentials"])
    for item in record["credentials"] or [{"code": "", "course": labels["none"], "status_label": ""}]:
        line(f"• {item['course']}" + (f" — {item['code']} ({item['status_label']})" if item["code"] else ""))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
