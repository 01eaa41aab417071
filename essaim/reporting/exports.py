"""Streamed exports of any table a person may see: CSV row by row, XLSX through
XlsxWriter's constant-memory mode into a temporary file (memory stays flat). Neither can
carry a live formula (`core/spreadsheets.py`)."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse

from essaim.core.spreadsheets import XLSX_OPTIONS, neutralised_row


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(neutralised_row(header))  # BOM: spreadsheets open UTF-8 correctly
    for row in rows:
        yield writer.writerow(neutralised_row(row))


def csv_response(filename: str, header: list[str], rows: Iterable[list[Any]]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_write(target: Any, header: list[str], rows: Iterable[list[Any]]) -> None:
    # Text stays text: an organisation called "=HYPERLINK(…)" is not a live formula.
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False, **XLSX_OPTIONS})
    sheet = workbook.add_worksheet()
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, ["" if value is None else value for value in row])
    workbook.close()


def xlsx_response(filename: str, header: list[str], rows: Iterable[list[Any]]) -> FileResponse:
    # Closed by FileResponse once sent, so no context manager here.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    xlsx_write(handle, header, rows)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
