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
from django.db.models import Max, Sum
from django.utils import timezone

from essaim.catalogue.models import Course
from essaim.core.services import audit_log
from essaim.core.spreadsheets import neutralised_row
from essaim.framework.models import FrameworkVersion
from essaim.reporting.models import PublishedDataset, QuarterRollup
from essaim.reporting.selectors import cube_key, published_cube, ratio, suppress, threshold

LICENSE = "etalab-2.0"  # SPDX id, in the Table Schemas
DATAGOUV_LICENSE = "lov2"  # data.gouv.fr's id for the same Licence Ouverte 2.0
LICENSE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
#: Version of the Table Schemas: bumped when a field changes (schema.data.gouv.fr asks for it).
SCHEMA_VERSION = "1.1.0"
CONTRIBUTORS = [
    {"title": "Délégation interministérielle à la transformation publique (DITP)", "role": "author"},
]


def _field(
    name: str,
    type_: str,
    title: str,
    description: str,
    *,
    example: Any,
    required: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    field: dict[str, Any] = {
        "name": name,
        "type": type_,
        "title": title,
        "description": description,
        "example": example,
    }
    if required:
        field["constraints"] = {"required": True}
    if extra:
        field.setdefault("constraints", {}).update(extra)
    return field


_COUNT_NOTE = (
    "Vide lorsque le groupe compte moins de 5 personnes, ou lorsque sa valeur permettrait de "
    "retrouver par différence celle d’un tel groupe (secret statistique)."
)


def _people(name: str, title: str, description: str, *, example: int) -> dict[str, Any]:
    """A count of people: the schema itself says a published value is never under the
    threshold (a blank is a suppressed cell), so a validator catches a leak."""
    return _field(name, "integer", title, f"{description} {_COUNT_NOTE}".strip(), example=example, minimum=threshold())


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
            "homepage": f"{settings.SITE_URL}/donnees/",
            "version": SCHEMA_VERSION,
            "contributors": CONTRIBUTORS,
            "licenses": [{"name": LICENSE, "title": "Licence Ouverte / Open Licence version 2.0", "path": LICENSE_URL}],
            "fields": self.fields,
            "missingValues": [""],
        }

    def header(self) -> list[str]:
        return [f["name"] for f in self.fields]


def _published_count(value: int | None) -> int | None:
    """A count of people as the files publish it: blank under the threshold, zero included
    (blank means « fewer than 5 », which zero is), so the schema's minimum holds the rule."""
    value = suppress(value or 0)
    return value or None


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
    """The publication cube's base cells, with its protected counts (the same values the
    public dashboard and export show, so no margin reveals a blank)."""
    cube = published_cube(years=None)
    rows = (
        QuarterRollup.objects.values("year", "quarter", "ministry_id", "region_id", "course_id")
        .annotate(
            ministry_name=Max("ministry__name"),
            region_name=Max("region__name"),
            code=Max("course__code"),
            completions=Sum("completions"),
        )
        .order_by("year", "quarter", "ministry_name", "region_name", "code")
    )
    for row in rows:
        if not row["completions"]:
            continue
        key = cube_key(
            quarter=row["quarter"], ministry=row["ministry_id"], region=row["region_id"], course=row["course_id"]
        )
        yield [
            row["year"],
            row["quarter"],
            row["ministry_name"] or "",
            row["region_name"] or "",
            row["code"],
            _published_count(cube.value(year=row["year"], measure="completions", key=key)),
            _published_count(cube.value(year=row["year"], measure="people_trained", key=key)),
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
            _published_count(row["s_count"] or 0),
            None if satisfaction is None else round(satisfaction, 2),
            _published_count(row["p_count"] or 0),
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


_YEAR = _field("annee", "integer", "Année", "Année civile du début de la session.", example=2026, required=True)
_QUARTER = _field(
    "trimestre", "integer", "Trimestre", "Trimestre civil (1 à 4).", example=2, required=True, minimum=1, maximum=4
)
_MINISTRY = _field(
    "ministere",
    "string",
    "Ministère",
    "Ministère ou organisation de tête qui organise la session.",
    example="Ministère de l’Intérieur",
)
_REGION = _field(
    "region", "string", "Région", "Région de la session (vide : à distance ou non renseignée).", example="Bretagne"
)
_COURSE = _field(
    "formation",
    "string",
    "Formation",
    "Code de la formation dans le catalogue.",
    example="facilitation-fondamentaux",
    required=True,
)

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
                    "sessions_tenues",
                    "integer",
                    "Sessions tenues",
                    "Sessions terminées.",
                    example=3,
                    required=True,
                    minimum=0,
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
                _people("formations_validees", "Formations validées", "", example=12),
                _people("agents_formes", "Agents formés", "Premières formations de l’année.", example=9),
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
                _people("repondants_satisfaction", "Répondants (satisfaction)", "", example=18),
                _field(
                    "satisfaction_moyenne",
                    "number",
                    "Satisfaction moyenne",
                    "Sur 5. " + _COUNT_NOTE,
                    example=4.33,
                    minimum=1,
                    maximum=5,
                ),
                _people("repondants_pratique", "Répondants (pratique à 3 mois)", "", example=11),
                _field(
                    "part_pratiquant",
                    "number",
                    "Part qui pratique (%)",
                    _COUNT_NOTE,
                    example=63.6,
                    minimum=0,
                    maximum=100,
                ),
            ],
            rows=_satisfaction_rows,
        ),
        Dataset(
            slug="referentiel",
            title="Référentiel commun de compétences",
            description="Les compétences du référentiel publié en vigueur.",
            fields=[
                _field("version", "string", "Version", "Version du référentiel.", example="2026-1", required=True),
                _field("code", "string", "Code", "Code stable de la compétence.", example="animer", required=True),
                _field("parent", "string", "Compétence parente", "Code de la compétence parente.", example="faciliter"),
                _field(
                    "nom", "string", "Nom", "Intitulé de la compétence.", example="Animer un atelier", required=True
                ),
                _field(
                    "description",
                    "string",
                    "Description",
                    "Description de la compétence.",
                    example="Conduire un atelier participatif du début à la fin.",
                ),
            ],
            rows=_framework_rows,
        ),
        Dataset(
            slug="catalogue",
            title="Catalogue des formations",
            description="Les formations publiées du programme.",
            fields=[
                _field(
                    "code",
                    "string",
                    "Code",
                    "Code de la formation.",
                    example="facilitation-fondamentaux",
                    required=True,
                ),
                _field(
                    "intitule",
                    "string",
                    "Intitulé",
                    "Intitulé.",
                    example="Facilitation : les fondamentaux",
                    required=True,
                ),
                _field("resume", "string", "Résumé", "Résumé.", example="Deux jours pour apprendre à faciliter."),
                _field("demi_journees", "integer", "Durée (demi-journées)", "Durée.", example=4, minimum=0),
                _field("format", "string", "Format", "Présentiel, à distance ou hybride.", example="Présentiel"),
                _field(
                    "introduction",
                    "boolean",
                    "Formation d’introduction",
                    "Première formation du parcours.",
                    example=True,
                ),
                _field(
                    "parcours_formateurs",
                    "boolean",
                    "Parcours de formateurs",
                    "Formation de formateurs.",
                    example=False,
                ),
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


def temporal_coverage() -> dict[str, str] | None:
    """First and last day of the quarters the figures cover (data.gouv.fr `temporal_coverage`)."""
    quarters = QuarterRollup.objects.order_by("year", "quarter").values_list("year", "quarter")
    first, last = quarters.first(), quarters.last()
    if first is None or last is None:
        return None
    end_month = 3 * last[1]
    end_day = 31 if end_month in (3, 12) else 30
    return {
        "start": f"{first[0]:04d}-{3 * first[1] - 2:02d}-01",
        "end": f"{last[0]:04d}-{end_month:02d}-{end_day:02d}",
    }


def datagouv_metadata(base_url: str) -> dict[str, Any]:
    """The dataset description data.gouv.fr's API expects, with one resource per file."""
    return {
        "title": "Essaim — formation des agents publics à la participation citoyenne (engagement OGP FR0111)",
        "description": (
            "Données agrégées du programme de formation à la facilitation, à l’intelligence collective "
            "et à la participation citoyenne. " + _COUNT_NOTE
        ),
        "organization": settings.OPEN_DATA_ORGANIZATION,
        "license": DATAGOUV_LICENSE,
        "frequency": "weekly",
        "temporal_coverage": temporal_coverage(),
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
