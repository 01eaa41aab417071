from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings

_STARTED = time.time()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Shows the authorisation matrix in the run's output (CI logs) when this run wrote it."""
    matrix = Path(settings.BASE_DIR) / "var" / "authorisation-matrix.txt"
    if matrix.exists() and matrix.stat().st_mtime >= _STARTED:
        terminalreporter.write_sep("=", "authorisation matrix")
        terminalreporter.write_line(matrix.read_text(encoding="utf-8"))
