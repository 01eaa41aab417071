"""Open data: aggregated datasets under Licence Ouverte 2.0, each with its Table Schema
and data.gouv.fr metadata, published periodically at stable URLs (/donnees/…).

No file holds a count of fewer than `SMALL_COUNT_THRESHOLD` people: such cells are empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from essaim.catalogue.models import Course
from essaim.core.services import audit_log
from essaim.core.spreadsheets import neutralised_row
from essaim.framework.models import FrameworkVersion
from essaim.reporting.models import PublishedDataset, QuarterRollup
from essaim.reporting.selectors import ratio, suppress

LICENSE = "etalab-2.0"
LICENSE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


def _field(
    name: str, type_: str, title: str, description: str, *, required: bool = False, **extra: Any
) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": type_, "title": title, "description": description}
    if required:
        field["constraints"] = {"required": True}
    if extra:
        field.setdefault("constraints", {}).update(extra)
    return field


_COUNT_NOTE = "Vide lorsque le groupe compte moins de 5 personnes (secret statistique)."


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    fields: list[dict[str, Any]]
    rows: Callable[[], Iterable[list[Any]]]

    def schema(self) -> dict[str, Any]:
        return {
            "$schema": "https://frictionlessdata.io/schemas/table-schema.json",
            "name": self.slug,
            "title": self.title,
            "description": self.description,
            "licenses": [{"name": LICENSE, "title": "Licence Ouverte / Open Licence version 2.0", "path": LICENSE_URL}],
            "fields": self.fields,
            "missingValues": [""],
        }

    def header(self) -> list[str]:
        return [f["name"] for f in self.fields]


def _quarter_rows(keys: list[str]) -> list[dict[str, Any]]:
    return list(
        QuarterRollup.objects.values(*keys)
        .annotate(
            held=Sum("sessions_held"),
            completions=Sum("completions"),
            trained=Sum("people_trained"),
            s_sum=Sum("satisfaction_sum"),
            s_count=Sum("satisfaction_count"),
            p_yes=Sum("practising_yes"),
            p_count=Sum("practising_count"),
        )
        .order_by(*keys)
    )


def _sessions_rows() -> Iterable[list[Any]]:
    for row in _quarter_rows(["year", "quarter", "ministry__name", "region__name", "course__code"]):
        if row["held"]:
            yield [
                row["year"],
                row["quarter"],
                row["ministry__name"] or "",
                row["region__name"] or "",
                row["course__code"],
                row["held"],
            ]


def _completions_rows() -> Iterable[list[Any]]:
    for row in _quarter_rows(["year", "quarter", "ministry__name", "region__name", "course__code"]):
        if row["completions"]:
            yield [
                row["year"],
                row["quarter"],
                row["ministry__name"] or "",
                row["region__name"] or "",
                row["course__code"],
                suppress(row["completions"]),
                suppress(row["trained"]),
            ]


def _satisfaction_rows() -> Iterable[list[Any]]:
    for row in _quarter_rows(["year", "course__code"]):
        if not (row["s_count"] or row["p_count"]):
            continue
        satisfaction = ratio(row["s_sum"] or 0, row["s_count"] or 0)
        practising = ratio(row["p_yes"] or 0, row["p_count"] or 0)
        yield [
            row["year"],
            row["course__code"],
            suppress(row["s_count"] or 0),
            None if satisfaction is None else round(satisfaction, 2),
            suppress(row["p_count"] or 0),
            None if practising is None else round(100 * practising, 1),
        ]


def _framework_rows() -> Iterable[list[Any]]:
    framework = FrameworkVersion.objects.current()
    if framework is None:
        return
    for competency in framework.competencies.select_related("parent").order_by("position", "id"):
        yield [
            framework.version,
            competency.code,
            competency.parent.code if competency.parent is not None else "",
            competency.name,
            competency.description,
        ]


def _catalogue_rows() -> Iterable[list[Any]]:
    for course in Course.objects.published().order_by("position", "code"):
        yield [
            course.code,
            course.title,
            course.summary,
            course.duration_half_days,
            course.get_format_display(),
            course.is_introduction,
            course.is_trainer_track,
        ]


_YEAR = _field("annee", "integer", "Année", "Année civile du début de la session.", required=True)
_QUARTER = _field("trimestre", "integer", "Trimestre", "Trimestre civil (1 à 4).", required=True, minimum=1, maximum=4)
_MINISTRY = _field("ministere", "string", "Ministère", "Ministère ou organisation de tête qui organise la session.")
_REGION = _field("region", "string", "Région", "Région de la session (vide : à distance ou non renseignée).")
_COURSE = _field("formation", "string", "Formation", "Code de la formation dans le catalogue.", required=True)

DATASETS: dict[str, Dataset] = {
    d.slug: d
    for d in [
        Dataset(
            slug="sessions-tenues",
            title="Sessions de formation tenues",
            description="Nombre de sessions tenues par trimestre, ministère organisateur, région et formation.",
            fields=[
                _YEAR,
                _QUARTER,
                _MINISTRY,
                _REGION,
                _COURSE,
                _field(
                    "sessions_tenues", "integer", "Sessions tenues", "Sessions terminées.", required=True, minimum=0
                ),
            ],
            rows=_sessions_rows,
        ),
        Dataset(
            slug="formations-validees",
            title="Formations validées",
            description=(
                "Formations validées par trimestre × ministère organisateur × région × formation. " + _COUNT_NOTE
            ),
            fields=[
                _YEAR,
                _QUARTER,
                _MINISTRY,
                _REGION,
                _COURSE,
                _field("formations_validees", "integer", "Formations validées", _COUNT_NOTE, minimum=5),
                _field(
                    "agents_formes",
                    "integer",
                    "Agents formés",
                    "Premières formations de l’année. " + _COUNT_NOTE,
                    minimum=0,
                ),
            ],
            rows=_completions_rows,
        ),
        Dataset(
            slug="satisfaction",
            title="Satisfaction et pratique à 3 mois",
            description=(
                "Satisfaction moyenne (1 à 5) à l’issue des sessions et part des agents qui pratiquent "
                "3 mois après, par année et formation. " + _COUNT_NOTE
            ),
            fields=[
                _YEAR,
                _COURSE,
                _field("repondants_satisfaction", "integer", "Répondants (satisfaction)", _COUNT_NOTE, minimum=0),
                _field(
                    "satisfaction_moyenne",
                    "number",
                    "Satisfaction moyenne",
                    "Sur 5. " + _COUNT_NOTE,
                    minimum=1,
                    maximum=5,
                ),
                _field("repondants_pratique", "integer", "Répondants (pratique à 3 mois)", _COUNT_NOTE, minimum=0),
                _field("part_pratiquant", "number", "Part qui pratique (%)", _COUNT_NOTE, minimum=0, maximum=100),
            ],
            rows=_satisfaction_rows,
        ),
        Dataset(
            slug="referentiel",
            title="Référentiel commun de compétences",
            description="Les compétences du référentiel publié en vigueur.",
            fields=[
                _field("version", "string", "Version", "Version du référentiel.", required=True),
                _field("code", "string", "Code", "Code stable de la compétence.", required=True),
                _field("parent", "string", "Compétence parente", "Code de la compétence parente."),
                _field("nom", "string", "Nom", "Intitulé de la compétence.", required=True),
                _field("description", "string", "Description", "Description de la compétence."),
            ],
            rows=_framework_rows,
        ),
        Dataset(
            slug="catalogue",
            title="Catalogue des formations",
            description="Les formations publiées du programme.",
            fields=[
                _field("code", "string", "Code", "Code de la formation.", required=True),
                _field("intitule", "string", "Intitulé", "Intitulé.", required=True),
                _field("resume", "string", "Résumé", "Résumé."),
                _field("demi_journees", "integer", "Durée (demi-journées)", "Durée.", minimum=0),
                _field("format", "string", "Format", "Présentiel, à distance ou hybride."),
                _field("introduction", "boolean", "Formation d’introduction", "Première formation du parcours."),
                _field("parcours_formateurs", "boolean", "Parcours de formateurs", "Formation de formateurs."),
            ],
            rows=_catalogue_rows,
        ),
    ]
}


def dataset_csv(dataset: Dataset) -> tuple[str, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(neutralised_row(dataset.header()))
    count = 0
    for row in dataset.rows():
        writer.writerow(neutralised_row(["true" if v is True else "false" if v is False else v for v in row]))
        count += 1
    return buffer.getvalue(), count


@transaction.atomic(durable=True)
def opendata_publish() -> list[PublishedDataset]:
    """Publish a new version of every dataset (periodic job, also `manage.py publish_open_data`)."""
    now = timezone.now()
    published = []
    for dataset in DATASETS.values():
        content, rows = dataset_csv(dataset)
        item, _ = PublishedDataset.objects.update_or_create(
            slug=dataset.slug, defaults={"content": content, "rows": rows, "published_at": now}
        )
        published.append(item)
    audit_log(actor=None, role="system", action="reporting.opendata.publish", summary=", ".join(DATASETS))
    return published


def datagouv_metadata(base_url: str) -> dict[str, Any]:
    """The dataset description data.gouv.fr's API expects, with one resource per file."""
    return {
        "title": "Essaim — formation des agents publics à la participation citoyenne (engagement OGP FR0111)",
        "description": (
            "Données agrégées du programme de formation à la facilitation, à l’intelligence collective "
            "et à la participation citoyenne. " + _COUNT_NOTE
        ),
        "organization": settings.OPEN_DATA_ORGANIZATION,
        "license": LICENSE,
        "frequency": "weekly",
        "tags": ["participation-citoyenne", "formation", "ogp", "fonction-publique"],
        "resources": [
            {
                "title": d.title,
                "description": d.description,
                "url": f"{base_url}/donnees/{d.slug}.csv",
                "format": "csv",
                "mime": "text/csv",
                "schema": {"url": f"{base_url}/donnees/{d.slug}.schema.json"},
            }
            for d in DATASETS.values()
        ],
    }
