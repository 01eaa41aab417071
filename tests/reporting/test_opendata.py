"""Open-data files: valid against their Table Schema, licensed, at stable URLs."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from frictionless import Resource, Schema, validate

from essaim.reporting.opendata import DATASETS, opendata_publish
from essaim.surveys.models import Answer, Question, Response, Survey


@pytest.fixture
def published(figures, intro, tmp_path, year):
    from essaim.training.models import Session

    survey = Survey.objects.create(title="À chaud", kind=Survey.Kind.AFTER_SESSION)
    question = Question.objects.create(survey=survey, kind="scale", label="Satisfaction", measure="satisfaction")
    session = Session.objects.filter(course=intro, starts_at__year=year).first()
    for score in (4, 5, 5, 3, 4, 5):
        response = Response.objects.create(survey=survey, session=session, submitted_on=session.starts_at.date())
        Answer.objects.create(response=response, question=question, number=score)
    from essaim.reporting.rollups import rollups_refresh

    rollups_refresh()
    opendata_publish()


@pytest.mark.parametrize("slug", sorted(DATASETS))
def test_each_dataset_is_valid_against_its_schema(client, published, slug, tmp_path):
    schema_response = client.get(reverse("reporting:dataset_schema", args=[slug]))
    assert schema_response.status_code == 200
    descriptor = schema_response.json()
    assert Schema.validate_descriptor(descriptor).valid
    csv_response = client.get(reverse("reporting:dataset_csv", args=[slug]))
    assert csv_response.status_code == 200
    path = tmp_path / f"{slug}.csv"
    path.write_bytes(csv_response.content)
    schema = Schema.from_descriptor(json.loads(json.dumps(descriptor)))
    report = validate(Resource(path=f"{slug}.csv", schema=schema, basepath=str(tmp_path)))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_satisfaction_dataset_shows_the_mean_over_five_answers(client, published, intro):
    content = client.get(reverse("reporting:dataset_csv", args=["satisfaction"])).content.decode()
    _header, row = content.strip().splitlines()
    assert row.split(",")[1:4] == [intro.code, "6", "4.33"]


def test_datagouv_metadata_lists_every_file_under_licence_ouverte(client, published):
    metadata = client.get(reverse("reporting:datagouv")).json()
    assert metadata["license"] == "lov2"  # data.gouv.fr's own id for Licence Ouverte 2.0
    coverage = metadata["temporal_coverage"]
    assert coverage["start"] <= coverage["end"] and coverage["start"].endswith("-01")
    urls = {r["url"].rsplit("/", 1)[1] for r in metadata["resources"]}
    assert urls == {f"{slug}.csv" for slug in DATASETS}
    assert all(r["schema"]["url"].endswith(".schema.json") for r in metadata["resources"])


def test_unpublished_or_unknown_dataset_is_a_404(client, db):
    assert client.get(reverse("reporting:dataset_csv", args=["catalogue"])).status_code == 404
    assert client.get("/donnees/inconnu.schema.json").status_code == 404


def test_open_data_index_lists_the_datasets(client, published):
    response = client.get(reverse("reporting:opendata"))
    assert response.status_code == 200
    assert "Licence Ouverte 2.0" in response.content.decode()


PEOPLE_COUNTS = {
    "formations-validees": {"formations_validees", "agents_formes"},
    "satisfaction": {"repondants_satisfaction", "repondants_pratique"},
}


@pytest.mark.parametrize("slug", sorted(DATASETS))
def test_each_schema_carries_what_schema_data_gouv_fr_checks_and_valid_examples(client, published, slug, tmp_path):
    from django.conf import settings

    descriptor = client.get(reverse("reporting:dataset_schema", args=[slug])).json()
    assert descriptor["homepage"].startswith("http") and descriptor["version"].count(".") == 2
    assert descriptor["contributors"] and all(c["title"] and c["role"] for c in descriptor["contributors"])
    assert all("example" in field for field in descriptor["fields"])
    # The examples are values the schema accepts: a one-row file of them validates.
    path = tmp_path / f"{slug}-example.csv"
    names = [f["name"] for f in descriptor["fields"]]
    values = [f["example"] for f in descriptor["fields"]]
    path.write_text(
        ",".join(names) + "\n" + ",".join(str(v).lower() if isinstance(v, bool) else f'"{v}"' for v in values) + "\n"
    )
    report = validate(Resource(path=path.name, schema=Schema.from_descriptor(descriptor), basepath=str(tmp_path)))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    # Every count of people encodes the secrecy rule: a published 3 fails validation.
    for field in descriptor["fields"]:
        if field["name"] in PEOPLE_COUNTS.get(slug, set()):
            assert field["constraints"]["minimum"] == settings.SMALL_COUNT_THRESHOLD
    if slug in PEOPLE_COUNTS:
        leaking = tmp_path / f"{slug}-leak.csv"
        row = [3 if n in PEOPLE_COUNTS[slug] else v for n, v in zip(names, values, strict=True)]
        leaking.write_text(",".join(names) + "\n" + ",".join(f'"{v}"' for v in row) + "\n")
        bad = validate(Resource(path=leaking.name, schema=Schema.from_descriptor(descriptor), basepath=str(tmp_path)))
        assert not bad.valid
