"""Production settings pass Django's deployment checks with no warning, and set what
docs/SECURITY.md promises: secure cookies, HSTS, HTTPS redirect behind the proxy."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _production_env(tmp_path: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PYTHONPATH"}}
    return {
        **keep,
        "ESSAIM_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "essaim.exemple.gouv.fr",
        "SITE_URL": "https://essaim.exemple.gouv.fr",
        "CSRF_TRUSTED_ORIGINS": "https://essaim.exemple.gouv.fr",
        "ESSAIM_VAR_DIR": str(tmp_path / "var"),
    }


def test_check_deploy_is_clean_at_warning_level(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_turns_on_secure_cookies_hsts_and_https(tmp_path):
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({k: "
        "getattr(s, k) for k in ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'LANGUAGE_COOKIE_SECURE', "
        "'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_HTTPONLY', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SECURE_PROXY_SSL_HEADER', "
        "'CSRF_TRUSTED_ORIGINS', 'DEBUG', 'X_FRAME_OPTIONS', 'PASSWORD_LOGIN_ENABLED']}))"
    )
    env = {**_production_env(tmp_path), "DJANGO_SETTINGS_MODULE": "essaim.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "CSRF_TRUSTED_ORIGINS": ["https://essaim.exemple.gouv.fr"],
        "DEBUG": False,
        "X_FRAME_OPTIONS": "DENY",
        "PASSWORD_LOGIN_ENABLED": False,
    }


def test_production_refuses_a_weak_secret_key(tmp_path):
    env = {**_production_env(tmp_path), "SECRET_KEY": "django-insecure-trop-court"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_names_cookies_host_only_and_ends_idle_sessions(tmp_path):
    keys = [
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "LANGUAGE_COOKIE_NAME",
        "LOGIN_DEVICE_COOKIE_NAME",
        "SESSION_COOKIE_DOMAIN",
        "CSRF_COOKIE_DOMAIN",
        "LANGUAGE_COOKIE_DOMAIN",
        "SESSION_COOKIE_PATH",
        "SESSION_IDLE_TIMEOUT_S",
        "ADMIN_ALLOWED_NETWORKS",
    ]
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {keys!r}}}))"
    )
    env = {**_production_env(tmp_path), "DJANGO_SETTINGS_MODULE": "essaim.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    # __Host- cookies: Secure, Path=/, no Domain, or the browser refuses them.
    for name in ("SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "LANGUAGE_COOKIE_NAME", "LOGIN_DEVICE_COOKIE_NAME"):
        assert values[name].startswith("__Host-"), name
    assert values["SESSION_COOKIE_DOMAIN"] is None and values["CSRF_COOKIE_DOMAIN"] is None
    assert values["LANGUAGE_COOKIE_DOMAIN"] is None and values["SESSION_COOKIE_PATH"] == "/"
    assert values["SESSION_IDLE_TIMEOUT_S"] == 1800
    assert values["ADMIN_ALLOWED_NETWORKS"] == ["127.0.0.1/32", "::1/128"]
