"""No chart, table, export or open-data cell shows a group of fewer than 5 people."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from django.urls import reverse

from essaim.reporting.models import PublishedDataset
from essaim.reporting.opendata import opendata_publish


def _csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def test_public_breakdown_and_charts_hide_the_small_group(client, figures, year, other_ministry):
    response = client.get(reverse("reporting:public"), {"year": year, "par": "ministry"})
    assert response.status_code == 200
    rows = {row["label"]: row for row in response.context["board"].breakdown}
    small = rows[str(other_ministry)]
    assert small["completions"] is None and small["people_trained"] is None and small["registrations"] is None
    html = response.content.decode()
    assert "secret statistique" in html
    # Charts of people (not of sessions): every bar is 0, suppressed or ≥ 5.
    for chart in response.context["board"].charts:
        if chart.slug == "sessions-trimestre":
            continue
        for bar in chart.bars:
            assert bar.value is None or bar.value == 0 or bar.value >= 5


def test_filtering_down_to_the_small_group_shows_no_count(client, figures, year, other_ministry):
    response = client.get(reverse("reporting:public"), {"year": year, "ministry": other_ministry.pk})
    board = response.context["board"]
    assert board.totals["people_trained"] is None
    assert all(bar.value in (None, 0) for bar in board.charts[1].bars)
    assert ">3<" not in response.content.decode()


def test_csv_export_leaves_small_cells_empty(client, figures, year, other_ministry):
    response = client.get(reverse("reporting:public_export", args=["trimestres", "csv"]), {"year": year})
    assert response.status_code == 200
    _header, *rows = _csv(response)
    small = [r for r in rows if r[2] == other_ministry.name]
    assert small and all(r[6] == "" and r[7] == "" and r[8] == "" for r in small)
    counts = [int(v) for r in rows for v in r[6:] if v]
    assert all(c == 0 or c >= 5 for c in counts)
    assert sorted(int(r[5]) for r in rows) == [1, 1, 1, 1]  # sessions held are not about people


def test_xlsx_export_leaves_small_cells_empty(client, figures, year):
    response = client.get(reverse("reporting:public_export", args=["trimestres", "xlsx"]), {"year": year})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    numbers = [int(float(v)) for v in re.findall(r"<v>([0-9.]+)</v>", sheet)]
    assert 3 not in numbers  # the small group's 3 completions
    # 1 and 2 are quarters and sessions held; no count of people is 3 or 4.
    assert numbers.count(year) == 4 and not {3, 4} & set(numbers)


def test_open_data_has_no_cell_under_five(figures):
    opendata_publish()
    content = PublishedDataset.objects.get(slug="formations-validees").content
    _header, *rows = list(csv.reader(io.StringIO(content)))
    assert rows
    for row in rows:
        for value in row[5:]:
            assert value == "" or int(value) == 0 or int(value) >= 5
    assert any(row[5] == "" for row in rows)  # the small group is there, suppressed
