"""What axe-core and HTML_CodeSniffer cannot see, on every key page, for its role, at 1280
and 375 px wide: a form control with no visible edge (no border, no background, no
shadow), a button or link whose text is clipped away (icon only, no tooltip), a header menu
of more than seven entries or on two lines, a page that scrolls sideways, an ISO date
(2026-11-03) in French text, two elements sharing an id.

Each page is written to var/screenshots/<role>_<width>_<page>.png, so that whoever changes
a page looks at it. The table of pages is essaim/core/accessibility.py's KEY_PAGES.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from essaim.core.accessibility import ANONYMOUS, KEY_PAGES, MOBILE_WIDTH
from essaim.core.navigation import MAX_TOP_LEVEL
from tests.browser.test_accessibility_sweep import ACCOUNTS, Tab, _url, demo  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = (1280, MOBILE_WIDTH)

# Runs in the page: returns a list of problems, each a short sentence with where it is.
CHECKS = (Path(__file__).parent / "design_checks.js").read_text().split("\n", 1)[1]  # after the comment


def _shot_name(role: str, width: int, url: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "accueil"
    return f"{role}_{width}_{slug[:80]}.png"


def test_every_key_page_looks_finished_for_its_role_on_desktop_and_phone(browser, live_server, demo, capsys):  # noqa: F811
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, int, list[str]]] = []
    for role in (ANONYMOUS, *ACCOUNTS):
        pages = [p for p in KEY_PAGES if p.role == role]
        for width in WIDTHS:
            tab = Tab(browser, live_server.url, ACCOUNTS.get(role), width)
            try:
                for key_page in pages:
                    url = _url(key_page, demo)
                    tab.page.goto(url)
                    tab.page.wait_for_load_state("load")
                    problems = tab.page.evaluate(CHECKS, MAX_TOP_LEVEL)
                    tab.page.screenshot(path=str(SCREENSHOTS / _shot_name(role, width, url)), full_page=True)
                    rows.append((url, role, width, problems))
            finally:
                tab.close()
    with capsys.disabled():
        print(f"\n{len(rows)} page loads checked, screenshots in {SCREENSHOTS}")
        for url, role, width, problems in rows:
            if problems:
                print(f"{url} as {role} at {width}px: {len(problems)} problem(s)")
    failures = [f"{url} as {role} at {width}px:\n  " + "\n  ".join(p) for url, role, width, p in rows if p]
    assert not failures, f"{len(failures)} page load(s) fail:\n" + "\n".join(failures)
    assert {row[1] for row in rows} == {ANONYMOUS, *ACCOUNTS}
    assert {row[2] for row in rows} == set(WIDTHS)
