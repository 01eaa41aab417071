"""Run the independent Node.js tools pinned under js/ (see js/README.md).

A test that needs one calls `node_tool_dir("name")`: without Node.js or without the
installed folder it is skipped locally, and fails in CI (ESSAIM_REQUIRE_NODE=1).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

JS_DIR = Path(__file__).resolve().parent.parent / "js"


def node_tool_dir(name: str) -> Path:
    folder = JS_DIR / name
    problem = None
    if shutil.which("node") is None:
        problem = "Node.js not found (apt-get install nodejs npm)"
    elif not (folder / "node_modules").is_dir():
        problem = f"js/{name} is not installed (make js)"
    if problem:
        if os.environ.get("ESSAIM_REQUIRE_NODE") == "1":
            pytest.fail(f"ESSAIM_REQUIRE_NODE=1 but {problem}", pytrace=False)
        pytest.skip(problem)
    return folder
