"""Root conftest: runs before Django reads its settings."""

import os

os.environ["ESSAIM_ENV"] = "test"
os.environ.setdefault("HUEY_IMMEDIATE", "1")
