"""A second engine beside axe-core: pa11y runs HTML_CodeSniffer (WCAG 2.1 AA, errors only)
on every key page, for its role, in Debian's Chromium — 0 errors accepted. The tool is
pinned in js/a11y/ (package-lock.json); tests/nodetools.py skips locally without it and
fails in CI."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.conf import settings
from django.test import Client

from essaim.core.accessibility import ANONYMOUS, KEY_PAGES, MOBILE_WIDTH
from tests.browser.test_accessibility_sweep import ACCOUNTS, _url, demo  # noqa: F401
from tests.nodetools import node_tool_dir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _cookie(email: str | None) -> str:
    if not email:
        return ""
    from essaim.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _pa11y(folder, *, urls: list[str], cookie: str, width: int) -> list[dict]:
    payload = json.dumps({"executablePath": "/usr/bin/chromium", "cookie": cookie, "width": width, "urls": urls})
    done = subprocess.run(
        ["node", str(folder / "run.js")], input=payload, capture_output=True, text=True, timeout=1200, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_every_key_page_has_no_html_codesniffer_error(live_server, demo, capsys):  # noqa: F811
    folder = node_tool_dir("a11y")
    rows: list[tuple[str, str, int, list[str]]] = []
    for role in (ANONYMOUS, *ACCOUNTS):
        for width in (1280, MOBILE_WIDTH):
            pages = [p for p in KEY_PAGES if p.role == role and p.status == 200 and (width == 1280 or p.mobile)]
            if not pages:
                continue
            urls = [live_server.url + _url(p, demo) for p in pages]
            for result in _pa11y(folder, urls=urls, cookie=_cookie(ACCOUNTS.get(role)), width=width):
                problems = [result["error"]] if "error" in result else []
                issues = result.get("issues", [])
                problems += [f"{i['code']}: {i['message'][:160]} — at {i['selector']}" for i in issues]
                rows.append((result["url"].removeprefix(live_server.url), role, width, problems))
    with capsys.disabled():
        print(f"\npa11y (HTML_CodeSniffer, WCAG2AA): {len(rows)} page loads, {sum(len(r[3]) for r in rows)} errors")
    failures = [f"{url} as {role} at {width}px:\n  " + "\n  ".join(p) for url, role, width, p in rows if p]
    assert not failures, f"{len(failures)} page load(s) with errors:\n" + "\n".join(failures)
    assert {row[1] for row in rows} == {ANONYMOUS, *ACCOUNTS}
