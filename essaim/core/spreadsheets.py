"""Cells that a spreadsheet will show as text, never run as a formula.

Excel, LibreOffice and Google Sheets evaluate a CSV cell, or a typed-in cell, that starts
with `=`, `+`, `-` or `@` (and some also after a tab or a carriage return, or with the
full-width forms of these signs): `=HYPERLINK("https://evil", "Cliquez")` becomes a live
link, `=cmd|' /C calc'!A0` a DDE call. Every CSV export goes through `neutralise` (OWASP's
advice: prefix such text with a single quote); XLSX files are written with
`XLSX_OPTIONS`, so that strings are stored as strings, never as formulas or links.
"""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

#: xlsxwriter turns strings that look like formulas, URLs or numbers into live cells unless told not to.
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def starts_like_a_formula(text: str) -> bool:
    return text.lstrip(" \u00a0").startswith(FORMULA_PREFIXES)


def neutralise(value: Any) -> Any:
    """A CSV cell: numbers, booleans and dates unchanged, text that could run quoted."""
    if isinstance(value, str) and starts_like_a_formula(value):
        return "'" + value
    return value


def neutralised_row(row: list[Any]) -> list[Any]:
    return ["" if value is None else neutralise(value) for value in row]


def restore(text: str) -> str:
    """The text `neutralise` quoted, read back from one of our own CSV exports."""
    return text[1:] if text.startswith("'") and starts_like_a_formula(text[1:]) else text
