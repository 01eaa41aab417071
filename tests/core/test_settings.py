"""Production mode refuses unsafe configuration, and passes Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 20 + "9f8e7d6c5b4a3210ZYXWVUTSRQPONMLKJIH"


def _run(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update({"ESSAIM_ENV": "production", "DJANGO_SETTINGS_MODULE": "essaim.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _run({"ALLOWED_HOSTS": "essaim.gouv.fr"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _run({"SECRET_KEY": STRONG_KEY}, "check")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_passes_the_deployment_checks():
    result = _run(
        {
            "SECRET_KEY": STRONG_KEY,
            "ALLOWED_HOSTS": "essaim.gouv.fr",
            "PROCONNECT_DOMAIN": "https://auth.agentconnect.gouv.fr/api/v2",
            "PROCONNECT_CLIENT_ID": "id",
            "PROCONNECT_CLIENT_SECRET": "secret",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_setting_read_from_the_environment_is_documented():
    import re

    settings_source = (ROOT / "essaim" / "settings.py").read_text()
    documented = (ROOT / ".env.example").read_text()
    names = set(re.findall(r'env(?:_bool|_int|_list)?\(\s*"([A-Z_0-9]+)"', settings_source))
    assert names, "no environment variable found: the pattern is out of date"
    missing = sorted(name for name in names if f"\n{name}=" not in documented)
    assert missing == []


def test_json_logs_are_one_object_per_line_with_the_extra_fields():
    import json
    import logging

    from essaim.core.logging import JsonFormatter

    record = logging.LogRecord("essaim.test", logging.WARNING, __file__, 1, "seat %s", ("offered",), None)
    record.session_id = 42
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "seat offered" and data["level"] == "WARNING" and data["session_id"] == 42
